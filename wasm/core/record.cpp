// Record codec and the small text helpers the consent engine shares with the bridge.
//
// Wire form, version 1 (fields joined by '~', every character an RFC 6265 cookie-octet):
//   k1~id~policyId~version~bodyHash16~givenAt36~method~choices~noticeVersion~noticeAt36~historyHead~check
// method is 'e' (explicit) or 'i' (implicit); times are base-36 epoch ms; choices "id:1.id:0";
// check = first 16 hex of SHA-256("kelisim/record/k1\n" + everything before "~check").
// The check catches edits, truncation and foreign values; it is not a secret MAC (the visitor
// owns the record, and proof of consent lives on the site's server).
#include <cstring>

#include "core/consent.h"
#include "core/sha256.h"

namespace kelisim {
namespace {

constexpr char kPrefix[] = "k1~";
constexpr char kCheckSalt[] = "kelisim/record/k1\n";
constexpr int kFields = 12;

bool lowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

// Every character of s[1..] passes ok(), s[0] passes first(), 1 <= size <= max.
template <class F, class G>
bool token(std::string_view s, size_t max, F first, G ok) {
  if (s.empty() || s.size() > max || !first(s[0])) return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!ok(s[i])) return false;
  return true;
}

std::string base36(int64_t v) {
  if (v <= 0) return "0";
  char buf[16];
  int n = 0;
  while (v) {
    int d = int(v % 36);
    buf[n++] = char(d < 10 ? '0' + d : 'a' + d - 10);
    v /= 36;
  }
  std::string s;
  while (n) s += buf[--n];
  return s;
}

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

std::string checkOf(std::string_view body) {
  Sha256 h;
  h.update(kCheckSalt, sizeof kCheckSalt - 1);
  h.update(body);
  auto d = h.digest();
  return to_hex(d.data(), 8);
}

}  // namespace

bool validPolicyId(std::string_view s) {
  return token(s, 64, lowerAlnum, [](char c) { return lowerAlnum(c) || c == '.' || c == '_' || c == '-'; });
}
bool validVersion(std::string_view s) {
  return token(s, 32, alnum, [](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}
bool validCategoryId(std::string_view s) {
  return token(s, 32, [](char c) { return c >= 'a' && c <= 'z'; }, [](char c) { return lowerAlnum(c) || c == '_'; });
}
bool validRecordId(std::string_view s) {
  auto ok = [](char c) { return alnum(c) || c == '_' || c == '-'; };
  return s.size() >= 8 && token(s, 32, ok, ok);
}
bool isHex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string decimal(int64_t v) {
  char buf[24];
  int n = 0;
  uint64_t u = v < 0 ? 0 - uint64_t(v) : uint64_t(v);
  do {
    buf[n++] = char('0' + u % 10);
    u /= 10;
  } while (u);
  std::string s;
  if (v < 0) s += '-';
  while (n) s += buf[--n];
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

std::string choicesText(const Choices& c) {
  std::string s;
  for (size_t i = 0; i < c.size(); ++i) {
    if (i) s += '.';
    s += c[i].category;
    s += c[i].on ? ":1" : ":0";
  }
  return s;
}

bool parseChoices(std::string_view text, Choices* out) {
  out->clear();
  if (text.empty()) return true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('.', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    if (item.size() < 3 || item[item.size() - 2] != ':') return false;
    char v = item.back();
    std::string_view id = item.substr(0, item.size() - 2);
    if ((v != '0' && v != '1') || !validCategoryId(id)) return false;
    for (const Choice& c : *out)
      if (c.category == id) return false;
    out->push_back({std::string(id), v == '1'});
    if (out->size() > 64) return false;
    start = end + 1;
  }
  return true;
}

bool Record::operator==(const Record& o) const {
  return id == o.id && policyId == o.policyId && version == o.version && bodyHash16 == o.bodyHash16 &&
         givenAtMs == o.givenAtMs && method == o.method && choices == o.choices &&
         noticeVersion == o.noticeVersion && noticeAtMs == o.noticeAtMs && historyHead == o.historyHead;
}

std::string encodeRecord(const Record& r) {
  std::string s = kPrefix;
  for (const std::string* f : {&r.id, &r.policyId, &r.version, &r.bodyHash16}) {
    s += *f;
    s += '~';
  }
  s += base36(r.givenAtMs);
  s += r.method == Method::Implicit ? "~i~" : "~e~";
  s += choicesText(r.choices);
  s += '~';
  s += r.noticeVersion;
  s += '~';
  s += base36(r.noticeAtMs);
  s += '~';
  s += r.historyHead;
  s += '~' + checkOf(s);
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
  if (text.substr(0, i + 1) != kPrefix) {
    res.error = ErrorCode::RecordUnknownVersion;
    return res;
  }
  std::string_view f[kFields];
  size_t start = 0;
  int n = 0;
  for (size_t p = 0; p <= text.size(); ++p) {
    if (p == text.size() || text[p] == '~') {
      if (n == kFields) {
        res.error = ErrorCode::RecordMalformed;
        return res;
      }
      f[n++] = text.substr(start, p - start);
      start = p + 1;
    }
  }
  res.error = ErrorCode::RecordMalformed;
  if (n != kFields || !isHex(f[11], 16)) return res;
  if (checkOf(text.substr(0, text.size() - 17)) != f[11]) {
    res.error = ErrorCode::RecordChecksum;
    return res;
  }
  Record& r = res.record;
  if (!validRecordId(f[1]) || !validPolicyId(f[2]) || !validVersion(f[3]) || !isHex(f[4], 16) ||
      !parseBase36(f[5], &r.givenAtMs) || f[6].size() != 1 || (f[6][0] != 'e' && f[6][0] != 'i') ||
      !parseChoices(f[7], &r.choices) || (!f[8].empty() && !validVersion(f[8])) ||
      !parseBase36(f[9], &r.noticeAtMs) || (!f[10].empty() && !isHex(f[10], 64))) {
    res.record = Record();
    return res;
  }
  r.id = std::string(f[1]);
  r.policyId = std::string(f[2]);
  r.version = std::string(f[3]);
  r.bodyHash16 = std::string(f[4]);
  r.method = f[6][0] == 'i' ? Method::Implicit : Method::Explicit;
  r.noticeVersion = std::string(f[8]);
  r.historyHead = std::string(f[10]);
  // Canonical form only: a value that decodes but would encode differently was not written by us.
  if (encodeRecord(r) != text) {
    res.record = Record();
    return res;
  }
  res.ok = true;
  res.error = ErrorCode::Ok;
  return res;
}

}  // namespace kelisim
