// Full-text search over a policy body: case-insensitive for Russian, Kazakh and English
// (foldCodePoint in text.h: А-Я, Ё=е, ӘҒҚҢӨҰҮҺІ, A-Z), results per clause in document order
// with an HTML snippet that marks the hits.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy/body.h"

namespace kelisim::policy {

struct SearchOptions {
  /** Most results to return; <= 0 means the default, 50. */
  int limit = 50;
};

struct SearchHit {
  std::string id;       // "p-4.1.5"
  std::string num;      // "4.1.5"
  std::string snippet;  // HTML: escaped text around the first hit, hits in <mark>…</mark>
};

/** The folded text of every clause of one body, built once and queried many times (the
 *  bridge keeps the last one, so repeated searches over the same body skip the parse). */
class SearchIndex {
 public:
  explicit SearchIndex(const Body& b);

  /** Clauses whose own text (title + paragraphs + list items, not sub-clauses) contains
   *  every word of `query` (split on spaces) as a substring, compared case-folded; in
   *  document order, at most opts.limit. An empty query finds nothing. The snippet is about
   *  160 code points around the first hit, cut at spaces, with "…" where text was cut;
   *  every occurrence of every word inside it is wrapped in <mark>. */
  std::vector<SearchHit> find(std::string_view query, const SearchOptions& opts) const;

 private:
  struct Unit {
    std::string num;
    std::string text;              // cleaned, space-collapsed
    std::string folded;            // foldCodePoint over text
    std::vector<uint32_t> origin;  // empty when folded[k] comes from text[k]; else the text offset
                                   // of each folded byte's code point (+ the end)
  };
  std::vector<Unit> units_;
};

/** Convenience: SearchIndex(b).find(query, opts). */
std::vector<SearchHit> search(const Body& b, std::string_view query, const SearchOptions& opts);

/** [{"id":"p-1.1","num":"1.1","snippet":"…"}], fields in that order, no spaces. */
std::string searchJson(const std::vector<SearchHit>& hits);

}  // namespace kelisim::policy
