#include "policy/search.h"

#include <algorithm>

#include "policy/render.h"
#include "policy/text.h"

namespace kelisim::policy {
namespace {

constexpr size_t kMaxQueryBytes = 1024;
constexpr size_t kMaxTerms = 16;
constexpr size_t kBefore = 40;    // code points of context before the first hit
constexpr size_t kWindow = 160;   // code points in a snippet (unless the hit itself is longer)

struct Range {
  size_t b, e;  // byte offsets into the unit's text
};

// Steps back from byte offset i over n code points (not before 0).
size_t backCodePoints(const std::string& s, size_t i, size_t n) {
  while (i > 0 && n > 0) {
    --i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    --n;
  }
  return i;
}

size_t forwardCodePoints(const std::string& s, size_t i, size_t n) {
  while (i < s.size() && n > 0) {
    nextCodePoint(s, &i);
    --n;
  }
  return i;
}

}  // namespace

SearchIndex::SearchIndex(const Body& b) {
  std::vector<TextUnit> tu = textUnits(b, false);
  units_.reserve(tu.size());
  for (TextUnit& t : tu) {
    Unit u;
    u.num = std::move(t.num);
    u.text = std::move(t.text);
    u.folded.reserve(u.text.size());
    u.origin.reserve(u.text.size() + 1);
    size_t i = 0;
    while (i < u.text.size()) {
      size_t start = i;
      uint32_t cp = foldCodePoint(nextCodePoint(u.text, &i));
      size_t before = u.folded.size();
      appendUtf8(&u.folded, cp);
      for (size_t k = before; k < u.folded.size(); ++k) u.origin.push_back(static_cast<uint32_t>(start));
    }
    u.origin.push_back(static_cast<uint32_t>(u.text.size()));
    units_.push_back(std::move(u));
  }
}

std::vector<SearchHit> SearchIndex::find(std::string_view query, const SearchOptions& opts) const {
  std::vector<SearchHit> hits;
  size_t limit = opts.limit <= 0 ? 50 : static_cast<size_t>(opts.limit);
  if (query.size() > kMaxQueryBytes) query = query.substr(0, kMaxQueryBytes);
  std::string q = foldCase(cleanText(query, true));
  std::vector<std::string> terms;
  size_t p = 0;
  while (p < q.size() && terms.size() < kMaxTerms) {
    size_t sp = q.find(' ', p);
    if (sp == std::string::npos) sp = q.size();
    std::string t = q.substr(p, sp - p);
    if (!t.empty() && std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(std::move(t));
    p = sp + 1;
  }
  if (terms.empty()) return hits;

  std::vector<Range> ranges;
  for (const Unit& u : units_) {
    if (hits.size() >= limit) break;
    ranges.clear();
    bool all = true;
    for (const std::string& t : terms) {
      size_t at = u.folded.find(t);
      if (at == std::string::npos) {
        all = false;
        break;
      }
      while (at != std::string::npos) {
        size_t end = at + t.size();
        ranges.push_back({u.origin[at], end < u.folded.size() ? u.origin[end] : u.text.size()});
        at = u.folded.find(t, end);
      }
    }
    if (!all) continue;
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) {
      return a.b != b.b ? a.b < b.b : a.e < b.e;
    });
    // Merge overlapping/adjacent hits.
    std::vector<Range> merged;
    for (const Range& r : ranges) {
      if (!merged.empty() && r.b <= merged.back().e) merged.back().e = std::max(merged.back().e, r.e);
      else merged.push_back(r);
    }
    const std::string& text = u.text;
    const Range& first = merged.front();
    // Window start: kBefore code points back, then forward to a word start.
    size_t ws = backCodePoints(text, first.b, kBefore);
    if (ws > 0) {
      size_t sp = text.find(' ', ws);
      if (sp != std::string::npos && sp + 1 <= first.b) ws = sp + 1;
    }
    size_t we = forwardCodePoints(text, ws, kWindow);
    if (we < first.e) we = first.e;
    if (we < text.size()) {
      size_t sp = text.rfind(' ', we);
      if (sp != std::string::npos && sp >= first.e) we = sp;
    }
    SearchHit h;
    h.num = u.num;
    h.id = "p-" + u.num;
    std::string& s = h.snippet;
    if (ws > 0) s += "\xE2\x80\xA6";
    size_t pos = ws;
    for (const Range& r : merged) {
      if (r.e <= ws) continue;
      if (r.b >= we) break;
      size_t b = std::max(r.b, ws), e = std::min(r.e, we);
      appendEscaped(&s, std::string_view(text).substr(pos, b - pos));
      s += "<mark>";
      appendEscaped(&s, std::string_view(text).substr(b, e - b));
      s += "</mark>";
      pos = e;
    }
    appendEscaped(&s, std::string_view(text).substr(pos, we - pos));
    if (we < text.size()) s += "\xE2\x80\xA6";
    hits.push_back(std::move(h));
  }
  return hits;
}

std::vector<SearchHit> search(const Body& b, std::string_view query, const SearchOptions& opts) {
  return SearchIndex(b).find(query, opts);
}

std::string searchJson(const std::vector<SearchHit>& hits) {
  std::string out = "[";
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i) out += ',';
    out += "{\"id\":";
    appendJsonString(&out, hits[i].id);
    out += ",\"num\":";
    appendJsonString(&out, hits[i].num);
    out += ",\"snippet\":";
    appendJsonString(&out, hits[i].snippet);
    out += '}';
  }
  out += ']';
  return out;
}

}  // namespace kelisim::policy
