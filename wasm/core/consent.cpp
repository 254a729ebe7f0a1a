// The consent engine (see consent.h). Every function here is pure.
#include "core/consent.h"

#include "core/sha256.h"

namespace kelisim {
namespace {

constexpr int64_t kMaxMs = 253402300800000;  // 10000-01-01T00:00Z: beyond any real date
constexpr int32_t kMaxOffset = 14 * 60;      // UTC+14:00 (Kiribati) is the widest in use

Error fail(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = floorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int daysInMonth(int64_t y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// Reads exactly n digits at s[*pos]; false if any is not a digit.
bool digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool expect(std::string_view s, size_t* pos, char c) {
  if (*pos >= s.size() || s[*pos] != c) return false;
  ++*pos;
  return true;
}

const CategorySpec* findCategory(const Manifest& m, std::string_view id) {
  for (const CategorySpec& c : m.categories)
    if (c.id == id) return &c;
  return nullptr;
}

const Choice* findChoice(const Choices& cs, std::string_view id) {
  for (const Choice& c : cs)
    if (c.category == id) return &c;
  return nullptr;
}

// Every category of m: required on; others from `from` when present there, otherwise off;
// with gpcOff categories forced off when `gpc` (GPC is a standing objection).
Choices mapChoices(const Manifest& m, const Choices* from, bool gpc) {
  Choices out;
  for (const CategorySpec& c : m.categories) {
    const Choice* prev = from ? findChoice(*from, c.id) : nullptr;
    bool on = c.required || (prev && prev->on && !(gpc && c.gpcOff));
    out.push_back({c.id, on});
  }
  return out;
}

bool anyOptionalOn(const Manifest& m, const Choices& cs) {
  for (const Choice& c : cs) {
    const CategorySpec* spec = findCategory(m, c.category);
    if (c.on && !(spec && spec->required)) return true;
  }
  return false;
}

std::string hash16(const Manifest& m) { return m.bodyHash.substr(0, 16); }

HistoryEntry makeEntry(Op op, int64_t now, const std::string& version, Method method, const Choices& choices,
                       const std::string& prevHash) {
  HistoryEntry e;
  e.op = op;
  e.atMs = now;
  e.version = version;
  e.method = method;
  e.choices = choices;
  e.prevHash = prevHash;
  e.hash = sha256_hex(prevHash + "\n" + e.canonical());
  return e;
}

// The stored record, if it is valid and belongs to this policy.
bool storedRecord(const Manifest& m, std::string_view stored, Record* out, ErrorCode* err, bool* otherPolicy) {
  DecodeResult d = decodeRecord(stored);
  *err = d.ok ? ErrorCode::Ok : d.error;
  *otherPolicy = d.ok && d.record.policyId != m.policyId;
  if (!d.ok || *otherPolicy) return false;
  *out = std::move(d.record);
  return true;
}

}  // namespace

std::string HistoryEntry::canonical() const {
  return std::string(name(op)) + "~" + decimal(atMs) + "~" + version + "~" + name(method) + "~" +
         choicesText(choices);
}

bool parseInstant(std::string_view s, int64_t* ms, int32_t* offsetMinutes) {
  size_t p = 0;
  int y, mo, d, h, mi, sec = 0, milli = 0;
  if (!digits(s, &p, 4, &y) || !expect(s, &p, '-') || !digits(s, &p, 2, &mo) || !expect(s, &p, '-') ||
      !digits(s, &p, 2, &d) || !expect(s, &p, 'T') || !digits(s, &p, 2, &h) || !expect(s, &p, ':') ||
      !digits(s, &p, 2, &mi))
    return false;
  if (p < s.size() && s[p] == ':') {
    ++p;
    if (!digits(s, &p, 2, &sec)) return false;
    if (p < s.size() && s[p] == '.') {
      ++p;
      size_t start = p;
      int scale = 100;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        milli += (s[p] - '0') * scale;  // digits past milliseconds are truncated
        scale /= 10;
        ++p;
      }
      if (p == start || p - start > 9) return false;
    }
  }
  int off = 0;
  if (p < s.size() && s[p] == 'Z') {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    int sign = s[p++] == '-' ? -1 : 1, oh, om;
    if (!digits(s, &p, 2, &oh) || !expect(s, &p, ':') || !digits(s, &p, 2, &om) || om > 59) return false;
    off = sign * (oh * 60 + om);
  } else {
    return false;  // an instant without an offset is ambiguous: refuse it
  }
  if (p != s.size() || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || sec > 59 ||
      off < -kMaxOffset || off > kMaxOffset)
    return false;
  int64_t local = daysFromCivil(y, mo, d) * kDayMs + (h * 3600 + mi * 60 + sec) * int64_t(1000) + milli;
  *ms = local - int64_t(off) * 60000;
  *offsetMinutes = off;
  return true;
}

int64_t deadline(int64_t publishedAtMs, int32_t offsetMinutes, int32_t days) {
  int64_t offMs = int64_t(offsetMinutes) * 60000;
  int64_t localDay = floorDiv(publishedAtMs + offMs, kDayMs);  // D, the local publication date
  return (localDay + days + 1) * kDayMs - offMs;
}

Error validate(const Manifest& m) {
  auto bad = [](const std::string& what) { return fail(ErrorCode::ManifestInvalid, "manifest: " + what); };
  if (!validPolicyId(m.policyId)) return bad("id must match [a-z0-9][a-z0-9._-]{0,63}");
  if (!validVersion(m.version)) return bad("version must match [A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  if (!isHex(m.bodyHash, 64)) return bad("bodyHash must be 64 lowercase hex digits");
  if (m.publishedAtMs < 0 || m.publishedAtMs >= kMaxMs) return bad("publishedAt is out of range");
  if (m.offsetMinutes < -kMaxOffset || m.offsetMinutes > kMaxOffset) return bad("publishedAt offset is beyond ±14:00");
  if (m.rule == UpdateRule::Implicit && (m.implicitDays < 0 || m.implicitDays > 366))
    return bad("updateRule.days must be 0..366");
  if (m.categories.empty() || m.categories.size() > 32) return bad("categories must list 1..32 categories");
  for (size_t i = 0; i < m.categories.size(); ++i) {
    const CategorySpec& c = m.categories[i];
    if (!validCategoryId(c.id)) return bad("category id '" + c.id + "' must match [a-z][a-z0-9_]{0,31}");
    for (size_t j = 0; j < i; ++j)
      if (m.categories[j].id == c.id) return bad("category '" + c.id + "' is listed twice");
  }
  for (int64_t age : {m.maxAgeAcceptedMs, m.maxAgeRejectedMs})
    if (age < kDayMs || age > 3660 * kDayMs) return bad("maxAgeDays must be 1..3660 days");
  return Error();
}

Error decide(const Manifest& m, std::string_view stored, int64_t now, Signals s, Decision* out) {
  Error err = validate(m);
  if (!err.ok()) return err;
  Decision& d = *out;
  d = Decision();
  d.effective = mapChoices(m, nullptr, false);  // fail closed: only required categories
  d.prefill = mapChoices(m, nullptr, s.gpc);

  Record r;
  bool otherPolicy = false;
  if (!storedRecord(m, stored, &r, &d.recordError, &otherPolicy)) {
    d.action = Action::Banner;
    d.reason = otherPolicy ? Reason::OtherPolicy
               : d.recordError == ErrorCode::RecordAbsent ? Reason::NoRecord
                                                           : Reason::InvalidRecord;
    if (d.recordError == ErrorCode::RecordAbsent) d.recordError = ErrorCode::Ok;
    return Error();
  }

  Choices previous = mapChoices(m, &r.choices, false);
  int64_t maxAge = anyOptionalOn(m, r.choices) ? m.maxAgeAcceptedMs : m.maxAgeRejectedMs;
  if (now >= r.givenAtMs + maxAge) {
    d.action = Action::Reprompt;
    d.reason = Reason::Expired;
    d.prefill = mapChoices(m, &r.choices, s.gpc);
    return Error();
  }

  if (r.version == m.version && r.bodyHash16 == hash16(m)) {
    d.action = Action::None;
    d.reason = r.method == Method::Implicit && r.noticeVersion != r.version ? Reason::ImplicitUnacknowledged
                                                                            : Reason::Current;
    d.effective = previous;
    d.prefill = previous;
    return Error();
  }

  // An update since the visitor's choice.
  if (m.rule == UpdateRule::Explicit || m.material) {
    d.action = Action::Reprompt;
    d.reason = m.rule == UpdateRule::Explicit ? Reason::UpdateExplicitRule : Reason::UpdateMaterial;
    d.prefill = mapChoices(m, &r.choices, s.gpc);
    return Error();
  }
  d.deadlineMs = deadline(m.publishedAtMs, m.offsetMinutes, m.implicitDays);
  if (now < d.deadlineMs) {
    // Seed 003, cl. 1.2: until the 7 days pass, the old choices stay in force.
    d.action = Action::UpdateNotice;
    d.reason = Reason::UpdatePending;
    d.effective = previous;
    d.prefill = previous;
    return Error();
  }
  // Continued use after the deadline: implicit acceptance with the same choices; new
  // categories start off, and nothing is turned on that the visitor did not turn on.
  d.action = Action::ImplicitAccept;
  d.reason = Reason::UpdateDue;
  Record n;
  n.id = r.id;
  n.policyId = m.policyId;
  n.version = m.version;
  n.bodyHash16 = hash16(m);
  n.givenAtMs = now;
  n.method = Method::Implicit;
  n.choices = mapChoices(m, &r.choices, s.gpc);
  d.entry = makeEntry(Op::AcceptUpdate, now, m.version, Method::Implicit, n.choices, r.historyHead);
  n.historyHead = d.entry.hash;
  d.effective = n.choices;
  d.prefill = n.choices;
  d.newRecord = std::move(n);
  d.hasNewRecord = true;
  return Error();
}

Error apply(const Manifest& m, std::string_view stored, int64_t now, Signals s, const ApplyInput& in,
            ApplyResult* out) {
  Error err = validate(m);
  if (!err.ok()) return err;
  if (now < 0 || now >= kMaxMs) return fail(ErrorCode::BadArgument, "now is out of range");
  if (!in.prevHash.empty() && !isHex(in.prevHash, 64))
    return fail(ErrorCode::BadArgument, "prevHash must be 64 lowercase hex digits");

  Record prev;
  ErrorCode recordError;
  bool otherPolicy;
  bool havePrev = storedRecord(m, stored, &prev, &recordError, &otherPolicy);

  Record r;
  r.id = havePrev ? prev.id : in.newId;
  if (!validRecordId(r.id)) return fail(ErrorCode::BadArgument, "newId must match [A-Za-z0-9_-]{8,32}");
  r.policyId = m.policyId;
  r.version = m.version;
  r.bodyHash16 = hash16(m);
  r.givenAtMs = now;
  r.method = Method::Explicit;

  switch (in.op) {
    case Op::AcceptAll:
      for (const CategorySpec& c : m.categories) r.choices.push_back({c.id, true});
      break;
    case Op::RejectAll:
    case Op::Withdraw:
      r.choices = mapChoices(m, nullptr, false);
      break;
    case Op::Set:
      r.choices = mapChoices(m, havePrev ? &prev.choices : nullptr, false);
      for (const Choice& c : in.choices) {
        const CategorySpec* spec = findCategory(m, c.category);
        if (!spec) return fail(ErrorCode::UnknownCategory, "unknown category '" + c.category + "'");
        if (spec->required && !c.on)
          return fail(ErrorCode::RequiredCategory, "category '" + c.category + "' is required and cannot be turned off");
        for (Choice& mine : r.choices)
          if (mine.category == c.category) mine.on = c.on;
      }
      break;
    case Op::AcceptUpdate:
      if (!havePrev) return fail(ErrorCode::NoRecord, "accept-update needs a stored record of this policy");
      r.choices = mapChoices(m, &prev.choices, false);
      break;
    case Op::NoticeShown:
      if (!havePrev) return fail(ErrorCode::NoRecord, "notice-shown needs a stored record of this policy");
      r = prev;
      r.noticeVersion = m.version;
      r.noticeAtMs = now;
      break;
    default:
      return fail(ErrorCode::BadArgument, "unknown op");
  }
  const std::string& prevHash = !in.prevHash.empty() ? in.prevHash : havePrev ? prev.historyHead : in.prevHash;
  out->entry = makeEntry(in.op, now, m.version, r.method, r.choices, prevHash);
  r.historyHead = out->entry.hash;
  out->record = std::move(r);
  (void)s;
  return Error();
}

}  // namespace kelisim
