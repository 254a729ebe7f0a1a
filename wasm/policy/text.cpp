#include "policy/text.h"

namespace kelisim::policy {

uint32_t nextCodePoint(std::string_view s, size_t* i) {
  // WHATWG UTF-8 decoding: an invalid sequence yields one U+FFFD for its maximal valid
  // prefix, and the offending byte is decoded again (what TextDecoder does in JS).
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), k = *i;
  unsigned c = p[k];
  if (c < 0x80) { *i = k + 1; return c; }
  int need;
  uint32_t cp;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; lo = c == 0xE0 ? 0xA0 : 0x80; hi = c == 0xED ? 0x9F : 0xBF; }
  else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; lo = c == 0xF0 ? 0x90 : 0x80; hi = c == 0xF4 ? 0x8F : 0xBF; }
  else { *i = k + 1; return 0xFFFD; }
  size_t j = k + 1;
  for (int m = 0; m < need; ++m, ++j) {
    if (j >= n || p[j] < lo || p[j] > hi) { *i = j; return 0xFFFD; }
    lo = 0x80;
    hi = 0xBF;
    cp = (cp << 6) | (p[j] & 0x3F);
  }
  *i = j;
  return cp;
}

void appendUtf8(std::string* out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out->push_back(char(cp));
  } else if (cp < 0x800) {
    out->push_back(char(0xC0 | (cp >> 6)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(char(0xE0 | (cp >> 12)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (cp >> 18)));
    out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  }
}

std::string sanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    uint32_t cp = nextCodePoint(s, &i);
    if (cp == 0xFFFD && s.compare(start, i - start, "\xEF\xBF\xBD") != 0) out += "\xEF\xBF\xBD";  // not a real U+FFFD
    else out.append(s.data() + start, i - start);
  }
  return out;
}

uint32_t foldCodePoint(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0x0410 && cp <= 0x042F) cp += 0x20;            // А-Я -> а-я
  else if (cp >= 0x0400 && cp <= 0x040F) cp += 0x50;       // Ѐ-Џ (Ё, І, Ї, Є, Ў...) -> ѐ-џ
  else if (((cp >= 0x0460 && cp <= 0x0481) || (cp >= 0x048A && cp <= 0x04BF)) && !(cp & 1)) cp += 1;  // Ғ Қ Ң Ү Ұ Һ (even = upper)
  else if (cp == 0x04C0) cp = 0x04CF;                      // Ӏ palochka
  else if (cp >= 0x04C1 && cp <= 0x04CE && (cp & 1)) cp += 1;
  else if (cp >= 0x04D0 && cp <= 0x04FF && !(cp & 1)) cp += 1;  // Ә Ө ...
  else if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) cp += 0x20;  // Latin-1 letters
  if (cp == 0x0451) cp = 0x0435;                           // ё -> е
  return cp;
}

std::string foldCase(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(char((c >= 'A' && c <= 'Z') ? c + 32 : c));
      ++i;
      continue;
    }
    appendUtf8(&out, foldCodePoint(nextCodePoint(s, &i)));
  }
  return out;
}

size_t codePointCount(std::string_view s) {
  size_t n = 0, i = 0;
  while (i < s.size()) {
    nextCodePoint(s, &i);
    ++n;
  }
  return n;
}

bool isSpaceAt(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') { *len = 1; return true; }
  if (c < 0x80) return false;
  size_t j = i;
  uint32_t cp = nextCodePoint(s, &j);
  if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F ||
      cp == 0x205F || cp == 0x3000 || cp == 0xFEFF) {
    *len = j - i;
    return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, len = 0;
  while (b < s.size() && isSpaceAt(s, b, &len)) b += len;
  size_t e = s.size();
  while (e > b) {
    // Step back one code point.
    size_t k = e - 1;
    while (k > b && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
    if (isSpaceAt(s, k, &len) && k + len == e) e = k;
    else break;
  }
  return s.substr(b, e - b);
}

namespace {
bool isDigit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

/** ISO 8601 instant with a mandatory offset: YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM). */
bool isIsoInstant(std::string_view v) {
  auto d = [&](size_t k) { return k < v.size() && isDigit(v[k]); };
  if (!(v.size() > 16 && d(0) && d(1) && d(2) && d(3) && v[4] == '-' && d(5) && d(6) && v[7] == '-' && d(8) && d(9) &&
        v[10] == 'T' && d(11) && d(12) && v[13] == ':' && d(14) && d(15)))
    return false;
  size_t k = 16;
  if (k < v.size() && v[k] == ':') {
    if (!(d(k + 1) && d(k + 2))) return false;
    k += 3;
    if (k < v.size() && v[k] == '.') {
      ++k;
      while (d(k)) ++k;
    }
  }
  std::string_view tz = v.substr(k);
  return tz == "Z" ||
         (tz.size() == 6 && (tz[0] == '+' || tz[0] == '-') && d(k + 1) && d(k + 2) && tz[3] == ':' && d(k + 4) && d(k + 5));
}

size_t NumMap::slot(std::string_view key) const {
  uint32_t h = 2166136261u;
  for (char c : key) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  size_t mask = slots_.size() - 1, i = h & mask;
  while (slots_[i] >= 0 && items_[size_t(slots_[i])].first != key) i = (i + 1) & mask;
  return i;
}

const int* NumMap::find(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  int s = slots_[slot(key)];
  return s < 0 ? nullptr : &items_[size_t(s)].second;
}

void NumMap::set(std::string_view key, int value) {
  if (!slots_.empty()) {
    int s = slots_[slot(key)];
    if (s >= 0) {
      items_[size_t(s)].second = value;
      return;
    }
  }
  items_.emplace_back(std::string(key), value);
  if (items_.size() * 2 > slots_.size()) {  // keep the load under 1/2: rehash everything
    slots_.assign(slots_.empty() ? 16 : slots_.size() * 2, -1);
    for (size_t k = 0; k < items_.size(); ++k) slots_[slot(items_[k].first)] = int(k);
  } else {
    slots_[slot(key)] = int(items_.size() - 1);
  }
}

bool letterCp(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) ||
         (c >= 0x400 && c <= 0x52F);
}

bool letterBefore(std::string_view s, size_t off) {
  if (off == 0) return false;
  size_t k = off - 1;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return letterCp(nextCodePoint(s, &k));
}

bool letterAt(std::string_view s, size_t off) { return off < s.size() && letterCp(nextCodePoint(s, &off)); }

bool has(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

bool hasAny(std::string_view s, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles)
    if (has(s, n)) return true;
  return false;
}

size_t findWord(std::string_view s, std::string_view w, size_t from) {
  for (size_t k = s.find(w, from); k != std::string_view::npos; k = s.find(w, k + 1))
    if (!letterBefore(s, k) && !letterAt(s, k + w.size())) return k;
  return std::string_view::npos;
}

size_t findStem(std::string_view s, std::string_view stem, size_t from) {
  for (size_t k = s.find(stem, from); k != std::string_view::npos; k = s.find(stem, k + 1))
    if (!letterBefore(s, k)) return k;
  return std::string_view::npos;
}

size_t skipBlank(std::string_view s, size_t i) {
  size_t n = 0;
  while (i < s.size() && isSpaceAt(s, i, &n)) i += n;
  return i;
}

size_t scanRef(std::string_view s, size_t i, std::string* num) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t j = i;
  num->clear();
  while (j < s.size() && digit(s[j])) {
    size_t d = j;
    while (j < s.size() && digit(s[j])) ++j;
    if (j - d > 3) return 0;
    if (!num->empty()) num->push_back('.');
    num->append(s.data() + d, j - d);
    if (j + 1 < s.size() && s[j] == '.' && digit(s[j + 1])) ++j;
    else break;
  }
  if (num->empty() || letterAt(s, j)) return 0;
  if (j < s.size() && s[j] == '.') ++j;
  return j - i;
}

}  // namespace kelisim::policy
