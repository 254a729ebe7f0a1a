// Fuzz target: search (SearchIndex::find, searchJson). Input: byte 0 = body route
// (fuzz::bodyFrom), byte 1 = limit, then the query up to the first '\n', then the body.
// Invariants: at most `limit` hits (50 by default), ids "p-"+num of real clauses in document
// order, snippets are safe HTML with only <mark>, the JSON is valid, a blank query finds
// nothing, and ASCII upper-casing the query finds the same clauses (case-insensitive).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "policy/search.h"

using namespace kelisim;
using namespace kelisim::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  int limit = int(int8_t(data[1]));  // negative and 0 mean the default
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  size_t nl = rest.find('\n');
  std::string_view query = nl == std::string_view::npos ? rest : rest.substr(0, nl);
  std::string in;
  in.push_back(char(data[0]));
  if (nl != std::string_view::npos) in.append(rest.substr(nl + 1));
  Body b;
  if (!fuzz::bodyFrom(in, &b)) return 0;
  SearchIndex idx(b);
  SearchOptions o;
  o.limit = limit;
  std::vector<SearchHit> hits = idx.find(query, o);
  size_t cap = limit <= 0 ? 50 : size_t(limit);
  FUZZ_CHECK(hits.size() <= cap, "more hits than the limit");
  bool blank = true;
  for (char c : query) blank = blank && (c == ' ' || c == '\t');
  if (blank) FUZZ_CHECK(hits.empty(), "blank query found something");
  std::vector<TextUnit> units = textUnits(b, false);
  size_t u = 0;
  for (const SearchHit& h : hits) {
    FUZZ_CHECK(h.id == "p-" + h.num, "id/num mismatch: " + h.id);
    while (u < units.size() && units[u].num != h.num) ++u;
    FUZZ_CHECK(u < units.size(), "hit " + h.num + " is not a clause, or out of document order");
    ++u;
    std::string why = fuzz::htmlProblem(h.snippet);
    FUZZ_CHECK(why.empty(), why + "\n" + h.snippet);
    FUZZ_CHECK(h.snippet.find("<mark>") != std::string::npos, "snippet without a marked hit: " + h.snippet);
  }
  FUZZ_CHECK(fuzz::validJson(searchJson(hits)), "searchJson is not valid JSON");
  std::string upper(query);
  for (char& c : upper) c = c >= 'a' && c <= 'z' ? char(c - 32) : c;
  std::vector<SearchHit> hits2 = idx.find(upper, o);
  FUZZ_CHECK(hits2.size() == hits.size(), "upper-cased query finds a different number of clauses");
  for (size_t i = 0; i < hits.size(); ++i) FUZZ_CHECK(hits[i].id == hits2[i].id, "upper-cased query differs");
  return 0;
}
