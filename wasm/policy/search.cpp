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
    const std::string& text = u.text;
    // Usually every code point folds to one of the same UTF-8 length (true for all of
    // foldCodePoint's mappings today): then folded[k] comes from text[k] and no offset table
    // is needed. Otherwise fall back to a table from folded bytes to text offsets.
    u.folded.resize(text.size());
    bool sameLength = true;
    size_t i = 0;
    while (i < text.size()) {
      size_t start = i;
      uint32_t cp = foldCodePoint(nextCodePoint(text, &i));
      size_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (len != i - start) {
        sameLength = false;
        break;
      }
      char* o = &u.folded[start];
      if (len == 1) {
        o[0] = static_cast<char>(cp);
      } else {
        // UTF-8 (cp is a valid scalar value: nextCodePoint never returns a surrogate)
        static const unsigned char kLead[] = {0, 0, 0xC0, 0xE0, 0xF0};
        for (size_t k = len - 1; k > 0; --k, cp >>= 6) o[k] = static_cast<char>(0x80 | (cp & 0x3F));
        o[0] = static_cast<char>(kLead[len] | cp);
      }
    }
    if (!sameLength) {
      u.folded.clear();
      i = 0;
      while (i < text.size()) {
        size_t start = i;
        appendUtf8(&u.folded, foldCodePoint(nextCodePoint(text, &i)));
        u.origin.resize(u.folded.size(), static_cast<uint32_t>(start));
      }
      u.origin.push_back(static_cast<uint32_t>(text.size()));
    }
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
    const std::string& text = u.text;
    const bool identity = u.origin.empty();
    auto orig = [&](size_t k) -> size_t { return identity ? k : u.origin[k]; };
    // Every word must occur; the earliest occurrence anchors the snippet.
    size_t firstB = std::string::npos, firstE = 0;
    for (const std::string& t : terms) {
      size_t at = u.folded.find(t);
      if (at == std::string::npos) {
        firstB = std::string::npos;
        break;
      }
      size_t b = orig(at), e = orig(at + t.size());
      if (b < firstB || (b == firstB && e > firstE)) {
        firstB = b;
        firstE = e;
      }
    }
    if (firstB == std::string::npos) continue;
    // Window start: kBefore code points back, then forward to a word start.
    size_t ws = backCodePoints(text, firstB, kBefore);
    if (ws > 0) {
      size_t sp = text.find(' ', ws);
      if (sp != std::string::npos && sp + 1 <= firstB) ws = sp + 1;
    }
    size_t we = forwardCodePoints(text, ws, kWindow);
    if (we < firstE) we = firstE;
    if (we < text.size()) {
      size_t sp = text.rfind(' ', we);
      if (sp != std::string::npos && sp >= firstE) we = sp;
    }
    // Occurrences inside the window only, sorted (insertion: a window holds few), merged.
    ranges.clear();
    for (const std::string& t : terms) {
      size_t from = identity && ws > t.size() ? ws - t.size() : 0;
      for (size_t at = u.folded.find(t, from); at != std::string::npos; at = u.folded.find(t, at + t.size())) {
        size_t b = orig(at), e = orig(at + t.size());
        if (b >= we) break;
        if (e <= ws) continue;
        Range r{b, e};
        size_t k = ranges.size();
        ranges.push_back(r);
        while (k > 0 && (ranges[k - 1].b > r.b || (ranges[k - 1].b == r.b && ranges[k - 1].e > r.e))) {
          ranges[k] = ranges[k - 1];
          --k;
        }
        ranges[k] = r;
      }
    }
    std::vector<Range> merged;
    for (const Range& r : ranges) {
      if (!merged.empty() && r.b <= merged.back().e) merged.back().e = std::max(merged.back().e, r.e);
      else merged.push_back(r);
    }
    SearchHit h;
    h.num = u.num;
    h.id = "p-" + u.num;
    std::string& s = h.snippet;
    if (ws > 0) s += "\xE2\x80\xA6";
    size_t pos = ws;
    for (const Range& r : merged) {
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
