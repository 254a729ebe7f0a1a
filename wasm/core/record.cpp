// Record codec and the small text helpers the consent engine shares with the bridge.
//
// Wire form, version 1 (fields joined by '~', every character an RFC 6265 cookie-octet):
//   k1~id~policyId~version~bodyHash16~givenAt36~method~choices~noticeVersion~noticeAt36~historyHead~check
// method is 'e' (explicit) or 'i' (implicit); times are base-36 epoch ms; choices "id:1.id:0",
// an item turned on under a consent document "id:1:3f9a2c1b" (its hash's first 8 hex);
// check = first 16 hex of SHA-256("kelisim/record/k1\n" + everything before "~check").
// Version 2 (issue 12) is version 1 with one more field before the check, the service marks
// (services.cpp appendMarks: 6 characters per service the visitor was asked about):
//   k2~…~historyHead~marks~check
// A record without marks is always written as k1, so a k2 record always has marks.
// The check catches edits, truncation and foreign values; it is not a secret MAC (the visitor
// owns the record, and proof of consent lives on the site's server).
#include "core/consent.h"
#include "core/sha256.h"

namespace kelisim {
namespace {

constexpr char kCheckSalt[] = "kelisim/record/k1\n";  // both versions
constexpr int kFields = 13;  // at most (k2)

// Character classes of the id grammars, as bits: one classifier serves every grammar.
enum : unsigned { kLower = 1, kUpper = 2, kDigit = 4, kHexLetter = 8, kDot = 16, kUnderscore = 32, kDash = 64 };

unsigned charClass(char c) {
  if (c >= 'a' && c <= 'z') return c <= 'f' ? kLower | kHexLetter : kLower;
  if (c >= 'A' && c <= 'Z') return kUpper;
  if (c >= '0' && c <= '9') return kDigit;
  return c == '.' ? kDot : c == '_' ? kUnderscore : c == '-' ? kDash : 0u;
}

// min <= size <= max, s[0] in class `first`, every later character in class `rest`.
bool token(std::string_view s, size_t min, size_t max, unsigned first, unsigned rest) {
  if (s.size() < min || s.size() > max) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (!(charClass(s[i]) & (i ? rest : first))) return false;
  return true;
}

// v in base 10 or 36 (digits 0-9a-z), after a '-' when v is negative. One formatter serves
// decimal() and the record's base-36 times.
void appendNumber(Text& out, int64_t v, unsigned base) {
  char buf[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - uint64_t(v) : uint64_t(v);
  if (v < 0) out += '-';
  do {
    unsigned d = unsigned(u % base);
    buf[n++] = char(d < 10 ? '0' + d : 'a' + d - 10);
    u /= base;
  } while (u);
  while (n) out += buf[--n];
}

void appendBase36(Text& out, int64_t v) { appendNumber(out, v < 0 ? 0 : v, 36); }  // before 1970: "0"

bool parseBase36(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 11 || (s.size() > 1 && s[0] == '0')) return false;
  int64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v * 36 + d;  // 11 base-36 digits < 2^57: no overflow
  }
  *out = v;
  return true;
}

// The 16 hex digits of the record check of `body`, written to out[0..16).
void checkOf(std::string_view body, char* out) {
  Sha256 h;
  h.update(kCheckSalt, sizeof kCheckSalt - 1);
  h.update(body);
  auto d = h.digest();
  to_hex(d.data(), 8, out);
}

// A choice item "<id>:1:<kDocHashPrefix hex>" → *item "<id>:1", *doc the hex; any other item
// is left as it is (doc empty). (Category ids hold no ':', so the form is unambiguous.)
void splitDoc(std::string_view* item, std::string_view* doc) {
  size_t n = item->size(), k = kDocHashPrefix;
  if (n < k + 4) return;
  std::string_view hex(item->data() + n - k, k);
  if ((*item)[n - k - 1] != ':' || !isHex(hex, k)) return;
  *doc = hex;
  *item = std::string_view(item->data(), n - k - 1);
}

void appendChoices(Text& s, const Choices& c) {
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) s += '.';
    s += c[i].category;
    s += c[i].on ? ":1" : ":0";
    if (!c[i].doc.empty()) {
      s += ':';
      s += c[i].doc;
    }
  }
}

}  // namespace

Text& Text::operator+=(std::string_view s) {
  if (s.size() > kCapacity - n_) __builtin_trap();  // cannot happen: see the class comment
  for (char c : s) buf_[n_++] = c;
  return *this;
}

bool validPolicyId(std::string_view s) {  // [a-z0-9][a-z0-9._-]{0,63}
  return token(s, 1, 64, kLower | kDigit, kLower | kDigit | kDot | kUnderscore | kDash);
}
bool validVersion(std::string_view s) {  // [A-Za-z0-9][A-Za-z0-9._-]{0,31}
  return token(s, 1, 32, kLower | kUpper | kDigit, kLower | kUpper | kDigit | kDot | kUnderscore | kDash);
}
bool validCategoryId(std::string_view s) {  // [a-z][a-z0-9_]{0,31}
  return token(s, 1, 32, kLower, kLower | kDigit | kUnderscore);
}
bool validServiceId(std::string_view s) {  // [a-z][a-z0-9-]{0,31}
  return token(s, 1, 32, kLower, kLower | kDigit | kDash);
}
bool validRecordId(std::string_view s) {  // [A-Za-z0-9_-]{8,32}
  unsigned ok = kLower | kUpper | kDigit | kUnderscore | kDash;
  return token(s, 8, 32, ok, ok);
}
bool isHex(std::string_view s, size_t len) { return token(s, len, len, kDigit | kHexLetter, kDigit | kHexLetter); }

Text decimal(int64_t v) {
  Text s;
  appendNumber(s, v, 10);
  return s;
}

bool parseDecimal(std::string_view s, int64_t* out) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = neg ? -v : v;
  return true;
}

Text choicesText(const Choices& c) {
  Text s;
  appendChoices(s, c);
  return s;
}

bool parseChoices(std::string_view text, Choices* out, bool services) {
  out->clear();
  if (text.empty()) return true;
  for (size_t start = 0;;) {
    size_t end = start;
    while (end < text.size() && text[end] != '.') ++end;
    // The item text[start, end) is "<id>:0", "<id>:1" or "<id>:1:<8 hex>" (splitDoc).
    std::string_view item(text.data() + start, end - start), doc;
    splitDoc(&item, &doc);
    if (item.size() < 3 || item[item.size() - 2] != ':' || (item.back() != '0' && item.back() != '1')) return false;
    std::string_view id(item.data(), item.size() - 2);
    bool on = item.back() == '1';
    if (!validCategoryId(id) && !(services && validServiceId(id))) return false;
    if (!doc.empty() && !on) return false;
    for (const Choice& c : *out)
      if (same(c.category, id)) return false;
    // A 65th item does not fit: too many choices.
    if (!out->push_back({id, on, doc})) return false;
    if (end == text.size()) return true;
    start = end + 1;  // a trailing '.' leaves an empty item: refused above
  }
}

bool Record::operator==(const Record& o) const {
  return id == o.id && policyId == o.policyId && version == o.version && bodyHash16 == o.bodyHash16 &&
         givenAtMs == o.givenAtMs && method == o.method && choices == o.choices &&
         noticeVersion == o.noticeVersion && noticeAtMs == o.noticeAtMs && historyHead == o.historyHead &&
         services == o.services;
}

Text encodeRecord(const Record& r) {
  Text s;
  s += r.services.empty() ? "k1~" : "k2~";
  s += r.id;
  s += '~';
  s += r.policyId;
  s += '~';
  s += r.version;
  s += '~';
  s += r.bodyHash16;
  s += '~';
  appendBase36(s, r.givenAtMs);
  s += r.method == Method::Implicit ? "~i~" : "~e~";
  appendChoices(s, r.choices);
  s += '~';
  s += r.noticeVersion;
  s += '~';
  appendBase36(s, r.noticeAtMs);
  s += '~';
  s += r.historyHead;
#ifndef KELISIM_NO_SERVICES
  if (!r.services.empty()) {
    s += '~';
    appendMarks(s, r.services);
  }
#endif
  char check[17];
  check[0] = '~';
  checkOf(s, check + 1);
  s += std::string_view(check, 17);
  return s;
}

DecodeResult decodeRecord(std::string_view text) {
  DecodeResult res;
  if (text.empty()) return res;  // RecordAbsent
  if (text.size() > kMaxRecordLength) {
    res.error = ErrorCode::RecordTooLong;
    return res;
  }
  // "k<digits>~" is ours; anything else was written by someone else.
  size_t i = 1;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (text[0] != 'k' || i == 1 || i >= text.size() || text[i] != '~') {
    res.error = ErrorCode::RecordForeign;
    return res;
  }
#ifdef KELISIM_NO_SERVICES
  // The banner build (services.cpp) reads k1 only: a k2 record is about a policy with services,
  // which that build refuses anyway.
  if (i != 2 || text[1] != '1') {
#else
  if (i != 2 || (text[1] != '1' && text[1] != '2')) {  // the version digits are not "1" or "2"
#endif
    res.error = ErrorCode::RecordUnknownVersion;
    return res;
  }
  std::string_view f[kFields];
  int n = int(splitFields(text, '~', f, kFields));
  res.error = ErrorCode::RecordMalformed;
  if (n > kFields) return res;
  int fields = text[1] == '2' ? 13 : 12;
  if (n != fields || !isHex(f[n - 1], 16)) return res;
  char check[16];
  checkOf(std::string_view(text.data(), text.size() - 17), check);  // all before "~check"
  if (!same(f[n - 1], std::string_view(check, 16))) {
    res.error = ErrorCode::RecordChecksum;
    return res;
  }
  // Built aside: on any failure below, res.record stays the empty Record().
  Record r;
  // Lengths are validated first, so every assign below fits.
  if (!validRecordId(f[1]) || !validPolicyId(f[2]) || !validVersion(f[3]) || !isHex(f[4], 16) ||
      !parseBase36(f[5], &r.givenAtMs) || f[6].size() != 1 || (f[6][0] != 'e' && f[6][0] != 'i') ||
      !parseChoices(f[7], &r.choices) || (!f[8].empty() && !validVersion(f[8])) ||
      !parseBase36(f[9], &r.noticeAtMs) || (!f[10].empty() && !isHex(f[10], 64)) ||
      // 11 base-36 digits reach 2^56: a time past kMaxMs is no real consent time, and JS
      // could not hold it exactly (found by fuzz_record: it decoded, but came back different
      // through the positional kel_encode_record, whose times are JS numbers).
      r.givenAtMs >= kMaxMs || r.noticeAtMs >= kMaxMs
#ifndef KELISIM_NO_SERVICES
      || (n == 13 && !parseMarks(f[11], &r.services))
#endif
  )
    return res;
  r.id.assign(f[1]);
  r.policyId.assign(f[2]);
  r.version.assign(f[3]);
  r.bodyHash16.assign(f[4]);
  r.method = f[6][0] == 'i' ? Method::Implicit : Method::Explicit;
  r.noticeVersion.assign(f[8]);
  r.historyHead.assign(f[10]);
  // Canonical form only: a value that decodes but would encode differently was not written by us.
  if (encodeRecord(r) != text) return res;
  res.record = r;
  res.ok = true;
  res.error = ErrorCode::Ok;
  return res;
}

}  // namespace kelisim
