// Fuzz target: diff of two bodies (diffBodies, diffJson) and the word diff (wordDiffHtml).
// Input: byte 0 = route; bit 1 set -> the rest is two raw texts for wordDiffHtml, else two
// bodies (fuzz::bodyFrom, bit 0) — both split at the first '\x01'.
// Invariants: every new clause appears once (not removed) and every old one is either matched
// or removed; a body diffed with itself is all "same"; HTML holds only <ins>/<del>; the JSON is
// valid; the word diff without its <ins> parts is the old text and without <del> the new one.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "policy/diff.h"
#include "policy/render.h"

using namespace kelisim;
using namespace kelisim::policy;

namespace {
// html without the content of <drop>…</drop> and without the <keep>/</keep> tags.
std::string view(const std::string& html, const std::string& drop, const std::string& keep) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    if (html.compare(i, drop.size() + 2, "<" + drop + ">") == 0) {
      size_t e = html.find("</" + drop + ">", i);
      FUZZ_CHECK(e != std::string::npos, "unclosed <" + drop + ">: " + html);
      i = e + drop.size() + 3;
    } else if (html.compare(i, keep.size() + 2, "<" + keep + ">") == 0) {
      i += keep.size() + 2;
    } else if (html.compare(i, keep.size() + 3, "</" + keep + ">") == 0) {
      i += keep.size() + 3;
    } else {
      out += html[i++];
    }
  }
  return out;
}

void checkDiff(const Body& a, const Body& b) {
  DiffResult d = diffBodies(a, b);
  size_t na = textUnits(a, true).size(), nb = textUnits(b, true).size();
  size_t removed = 0, matched = 0, present = 0;
  for (const DiffClause& c : d.clauses) {
    std::string why = fuzz::htmlProblem(c.html);
    FUZZ_CHECK(why.empty(), why + "\n" + c.html);
    if (c.status == DiffStatus::Removed) ++removed;
    else ++present;
    if (c.status == DiffStatus::Same || c.status == DiffStatus::Moved || c.status == DiffStatus::Changed) ++matched;
  }
  FUZZ_CHECK(present == nb, "new units " + std::to_string(nb) + " vs present " + std::to_string(present));
  FUZZ_CHECK(removed + matched == na, "old units " + std::to_string(na) + " vs removed+matched " +
                                          std::to_string(removed + matched));
  FUZZ_CHECK(fuzz::validJson(diffJson(d)), "diffJson is not valid JSON");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t route = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t sep = rest.find('\x01');
  std::string_view left = sep == std::string_view::npos ? rest : rest.substr(0, sep);
  std::string_view right = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 1);
  if (route & 2) {
    std::string html = wordDiffHtml(left, right);
    std::string why = fuzz::htmlProblem(html);
    FUZZ_CHECK(why.empty(), why + "\n" + html);
    std::string ea, eb;
    appendEscaped(&ea, left);
    appendEscaped(&eb, right);
    FUZZ_CHECK(view(html, "ins", "del") == ea, "old side lost: " + html + "\nexpected " + ea);
    FUZZ_CHECK(view(html, "del", "ins") == eb, "new side lost: " + html + "\nexpected " + eb);
    return 0;
  }
  std::string ia(1, char(route)), ib(1, char(route));
  ia.append(left);
  ib.append(right);
  Body a, b;
  if (!fuzz::bodyFrom(ia, &a)) return 0;
  bool haveB = fuzz::bodyFrom(ib, &b);
  // A body diffed with itself: nothing changed.
  DiffResult self = diffBodies(a, a);
  for (const DiffClause& c : self.clauses)
    FUZZ_CHECK(c.status == DiffStatus::Same, "self-diff reports " + std::string(diffStatusName(c.status)) +
                                                 " for clause '" + c.num + "': " + c.html);
  if (haveB) checkDiff(a, b);
  return 0;
}
