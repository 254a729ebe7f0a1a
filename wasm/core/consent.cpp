// The consent engine (see consent.h). Every function here is pure.
#include "core/consent.h"

#include "core/sha256.h"

// SVC(...): per-service statements, left out of the banner build (KELISIM_NO_SERVICES,
// wasm/core/services.cpp), where the manifest has no services and they would do nothing.
#ifdef KELISIM_NO_SERVICES
#define SVC(...)
#else
#define SVC(...) __VA_ARGS__
#endif

namespace kelisim {
namespace {

constexpr int32_t kMaxOffset = 14 * 60;      // UTC+14:00 (Kiribati) is the widest in use

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
  static const uint8_t days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

const CategorySpec* findCategory(const Manifest& m, std::string_view id) {
  for (const CategorySpec& c : m.categories)
    if (same(c.id, id)) return &c;
  return nullptr;
}

const Choice* findChoice(const Choices& cs, std::string_view id) {
  for (const Choice& c : cs)
    if (same(c.category, id)) return &c;
  return nullptr;
}

// Every category of m: required on; others from `from` when present there, otherwise off;
// with gpcOff categories forced off when `gpc` (GPC is a standing objection).
// (Category ids of a validated manifest fit in Choice::category.)
void mapChoices(const Manifest& m, const Choices* from, bool gpc, Choices* out) {
  out->clear();
  for (const CategorySpec& c : m.categories) {
    const Choice* prev = from ? findChoice(*from, c.id) : nullptr;
    bool on = c.required || (prev && prev->on && !(gpc && c.gpcOff));
    // An "on" choice keeps the consent document it was given under (staleDocuments).
    out->push_back({c.id, on, on && prev ? prev->doc : Str<kDocHashPrefix>()});
  }
}

// ---- Consent documents (policies/README.md "Consent documents") ------------------------
// A category may have its own consent document (152-FZ Art. 9(1) as amended by 156-FZ:
// consent "separately from other information"); a choice turning it on records the first
// kDocHashPrefix hex of that document's hash. A newer document is material for its category
// only.

// The prefix of c's consent document's hash that a choice records ("" = no document).
std::string_view docPrefix(const CategorySpec& c) {
  return c.docHash.empty() ? c.docHash : std::string_view(c.docHash.data(), kDocHashPrefix);
}

// Stamps every "on" choice in *cs whose category is in `only` (all when only == nullptr)
// with the document now in force for it: the visitor chose it with that document shown.
void stampDocuments(const Manifest& m, const Choices* only, Choices* cs) {
  for (Choice& c : *cs) {
    const CategorySpec* spec = findCategory(m, c.category);
    if (!c.on || !spec || (only && !findChoice(*only, c.category))) continue;
    c.doc.assign(docPrefix(*spec));
  }
}

// The categories of m turned on in `choices` under another consent document than the one in
// force now (or under none, when the category has one now) → *pending; each is turned off in
// *effective and *prefill (implicit acceptance never accepts a new document: the visitor must
// answer again).
void staleDocuments(const Manifest& m, const Choices& choices, Decision* d) {
  d->pending.clear();
  // effective and prefill list m's categories in manifest order (mapChoices): index i is c.
  for (size_t i = 0; i < m.categories.size(); ++i) {
    const CategorySpec& c = m.categories[i];
    const Choice* was = findChoice(choices, c.id);
    // (A required category is not asked for: its document, if a manifest names one, is moot.)
    if (c.docHash.empty() || c.required || !was || !was->on || same(was->doc, docPrefix(c))) continue;
    d->pending.push_back(Id(c.id));
    d->effective[i] = d->prefill[i] = Choice{d->effective[i].category, false, {}};
  }
}

bool anyOptionalOn(const Manifest& m, const Choices& cs) {
  for (const Choice& c : cs) {
    const CategorySpec* spec = findCategory(m, c.category);
    if (c.on && !(spec && spec->required)) return true;
  }
  return false;
}

// (bodyHash is validated: 64 hex digits.)
std::string_view hash16(const Manifest& m) { return std::string_view(m.bodyHash.data(), 16); }

// Fills the history entry for the change to record r (its choices, and its services' states
// under m); its hash is SHA-256(prevHash "\n" canonical()).
void makeEntry(const Manifest& m, Op op, int64_t now, const Record& r, std::string_view prevHash, HistoryEntry* e) {
  e->op = op;
  e->atMs = now;
  e->version.assign(m.version);
  e->method = r.method;
  e->choices = r.choices;
  SVC(serviceStates(m, r.choices, &r.services, &e->services));
  e->prevHash.assign(prevHash);
  e->hash = entryHash(*e);
}

// Makes r a record of m's current version given at `now` by `method`, keeping its id.
void stamp(const Manifest& m, int64_t now, Method method, Record* r) {
  r->policyId.assign(m.policyId);
  r->version.assign(m.version);
  r->bodyHash16.assign(hash16(m));
  r->givenAtMs = now;
  r->method = method;
}

// The stored record, if it is valid and belongs to this policy.
bool storedRecord(const Manifest& m, std::string_view stored, Record* out, ErrorCode* err, bool* otherPolicy) {
  DecodeResult d = decodeRecord(stored);
  *err = d.ok ? ErrorCode::Ok : d.error;
  *otherPolicy = d.ok && !same(d.record.policyId, m.policyId);
  if (!d.ok || *otherPolicy) return false;
  *out = d.record;
  return true;
}

// (A '\1' in text stands for subject; see Status.)
Status fail(ErrorCode code, const char* text, std::string_view subject = {}) { return Status{code, text, subject}; }
Status badManifest(const char* text, std::string_view subject = {}) {
  return Status{ErrorCode::ManifestInvalid, text, subject};
}

}  // namespace

Text HistoryEntry::canonical() const {
  Text s;
  s += name(op);
  s += '~';
  s += decimal(atMs);
  s += '~';
  s += version;
  s += '~';
  s += name(method);
  s += '~';
  s += choicesText(choices);
  SVC(if (!services.empty()) {
    s += '~';
    s += choicesText(services);
  })
  return s;
}

Hex64 entryHash(const HistoryEntry& e) {
  Sha256 h;
  h.update(e.prevHash.view());
  h.update("\n", 1);
  h.update(e.canonical());
  auto d = h.digest();
  char hex[64];
  to_hex(d.data(), d.size(), hex);
  return Hex64(std::string_view(hex, 64));
}

int32_t verifyHistory(std::string_view lines) {
  Hex64 prev;
  int32_t i = 0;
  for (size_t pos = 0; pos < lines.size(); ++i) {
    size_t nl = lines.find('\n', pos);
    std::string_view line = lines.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? lines.size() : nl + 1;
    std::string_view f[8];
    HistoryEntry e;
    bool ok = splitFields(line, '~', f, 8) == 8 && fromName(f[0], &e.op) && parseDecimal(f[1], &e.atMs) && e.version.assign(f[2]) &&
              fromName(f[3], &e.method) && parseChoices(f[4], &e.choices) &&
              (f[5].empty() || parseChoices(f[5], &e.services, true)) && e.prevHash.assign(f[6]) &&
              e.hash.assign(f[7]) && (i == 0 || e.prevHash == prev) && entryHash(e) == e.hash;
    if (!ok) return i;
    prev = e.hash;
  }
  return -1;
}

bool parseInstant(std::string_view s, int64_t* ms, int32_t* offsetMinutes) {
  size_t p = 0;
  // Consumes c if it comes next.
  auto accept = [&](char c) {
    if (p >= s.size() || s[p] != c) return false;
    ++p;
    return true;
  };
  // Reads exactly n digits.
  auto digits = [&](int n, int* out) {
    int v = 0;
    for (; n > 0; --n, ++p) {
      if (p >= s.size() || s[p] < '0' || s[p] > '9') return false;
      v = v * 10 + (s[p] - '0');
    }
    *out = v;
    return true;
  };
  // YYYY-MM-DDThh:mm: a digit in the pattern reads that many digits, anything else must match.
  int f[5];  // year, month, day, hour, minute
  int n = 0;
  for (const char* q = "4-2-2T2:2"; *q; ++q)
    if (*q <= '9' && *q >= '0' ? !digits(*q - '0', &f[n++]) : !accept(*q)) return false;
  int sec = 0, milli = 0;
  if (accept(':')) {
    if (!digits(2, &sec)) return false;
    if (accept('.')) {
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
  if (!accept('Z')) {
    int sign = accept('-') ? -1 : 1, oh, om;
    if (sign > 0 && !accept('+')) return false;  // an instant without an offset is ambiguous: refuse it
    if (!digits(2, &oh) || !accept(':') || !digits(2, &om) || om > 59) return false;
    off = sign * (oh * 60 + om);
  }
  int y = f[0], mo = f[1], d = f[2], h = f[3], mi = f[4];
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

Status validate(const Manifest& m) {
  if (!validPolicyId(m.policyId)) return badManifest("manifest: id must match [a-z0-9][a-z0-9._-]{0,63}");
  if (!validVersion(m.version)) return badManifest("manifest: version must match [A-Za-z0-9][A-Za-z0-9._-]{0,31}");
  if (!isHex(m.bodyHash, 64)) return badManifest("manifest: bodyHash must be 64 lowercase hex digits");
  if (m.publishedAtMs < 0 || m.publishedAtMs >= kMaxMs) return badManifest("manifest: publishedAt is out of range");
  if (m.offsetMinutes < -kMaxOffset || m.offsetMinutes > kMaxOffset)
    return badManifest("manifest: publishedAt offset is beyond ±14:00");
  if (m.rule == UpdateRule::Implicit && (m.implicitDays < 0 || m.implicitDays > 366))
    return badManifest("manifest: updateRule.days must be 0..366");
  if (m.categories.empty() || m.categories.size() > kMaxCategories)
    return badManifest("manifest: categories must list 1..32 categories");
  for (size_t i = 0; i < m.categories.size(); ++i) {
    std::string_view id = m.categories[i].id;
    if (!validCategoryId(id)) return badManifest("manifest: category id '\1' must match [a-z][a-z0-9_]{0,31}", id);
    for (size_t j = 0; j < i; ++j)
      if (same(m.categories[j].id, id)) return badManifest("manifest: category '\1' is listed twice", id);
    std::string_view doc = m.categories[i].docHash;
    if (!doc.empty() && !isHex(doc, 64))
      return badManifest("manifest: category '\1': bad consent.hash", id);
  }
  // Every record this manifest can lead to must decode again (<= kMaxRecordLength), or a stored
  // choice would be lost on every page load (adversarial finding: 32 categories of 32-character
  // ids gave 1366-byte records; tests/cpp/adversarial_test.cpp). 228 bytes bound the other
  // fields at their longest (record id and versions 32, times 11 base-36 digits, history hash,
  // check, separators); then the policy id and "id:1" (":<doc prefix>") per category, '.'-joined.
  // Service marks add 6 bytes each and a separator.
  size_t longest = 228 + m.policyId.size() + m.categories.size() - 1;
  SVC(longest += m.services.size() * 6 + !m.services.empty());
  for (const CategorySpec& c : m.categories) longest += c.id.size() + 2 + (c.docHash.empty() ? 0 : 1 + kDocHashPrefix);
  if (longest > kMaxRecordLength)
    return badManifest("manifest: category ids are too long in total: a record would exceed 1024 bytes");
  for (int64_t age : {m.maxAgeAcceptedMs, m.maxAgeRejectedMs})
    if (age < kDayMs || age > 3660 * kDayMs) return badManifest("manifest: maxAgeDays must be 1..3660 days");
  return validateServices(m);
}

Status decide(const Manifest& m, std::string_view stored, int64_t now, Signals s, Decision* out) {
  Status err = validate(m);
  if (!err.ok()) return err;
  Decision& d = *out;
  d = Decision();
  mapChoices(m, nullptr, false, &d.effective);  // fail closed: only required categories
  mapChoices(m, nullptr, s.gpc, &d.prefill);
  SVC(serviceStates(m, d.effective, nullptr, &d.services));
  SVC(serviceStates(m, d.prefill, nullptr, &d.servicesPrefill));

  Record r;
  bool otherPolicy = false;
  if (!storedRecord(m, stored, &r, &d.recordError, &otherPolicy)) {
    d.action = Action::Banner;
    d.reason = otherPolicy ? Reason::OtherPolicy
               : d.recordError == ErrorCode::RecordAbsent ? Reason::NoRecord
                                                           : Reason::InvalidRecord;
    if (d.recordError == ErrorCode::RecordAbsent) d.recordError = ErrorCode::Ok;
    return Status();
  }

  Choices previous;
  mapChoices(m, &r.choices, false, &previous);
  int64_t maxAge = anyOptionalOn(m, r.choices) ? m.maxAgeAcceptedMs : m.maxAgeRejectedMs;
  bool expired = now >= r.givenAtMs + maxAge;
  bool current = same(r.version, m.version) && same(r.bodyHash16, hash16(m));
  bool unasked = false;
  // A service the visitor was never asked about, in a category they accepted, is a new
  // recipient: a material change, whatever the manifest says (issue 12).
  SVC(unasked = unaskedService(m, previous, r.services));
  if (expired || unasked || (!current && (m.rule == UpdateRule::Explicit || m.material))) {
    d.action = Action::Reprompt;
    d.reason = expired                                     ? Reason::Expired
               : unasked || m.rule != UpdateRule::Explicit ? Reason::UpdateMaterial
                                                           : Reason::UpdateExplicitRule;
    mapChoices(m, &r.choices, s.gpc, &d.prefill);
    if (!expired) staleDocuments(m, r.choices, &d);
    SVC(serviceStates(m, d.prefill, &r.services, &d.servicesPrefill));
    return Status();
  }

  if (current) {
    d.action = Action::None;
    d.reason = r.method == Method::Implicit && r.noticeVersion != r.version ? Reason::ImplicitUnacknowledged
                                                                            : Reason::Current;
    d.effective = previous;
    d.prefill = previous;
    staleDocuments(m, r.choices, &d);
    if (!d.pending.empty()) {
      // A new consent document for a category the visitor turned on: ask about it (only).
      d.action = Action::Reprompt;
      d.reason = Reason::DocumentChanged;
    }
    // (a pending category's services are off too)
    SVC(serviceStates(m, d.effective, &r.services, &d.services); d.servicesPrefill = d.services);
    return Status();
  }
  d.deadlineMs = deadline(m.publishedAtMs, m.offsetMinutes, m.implicitDays);
  if (now < d.deadlineMs) {
    // Seed 003, cl. 1.2: until the 7 days pass, the old choices stay in force (except those
    // given under a consent document that has been replaced: staleDocuments).
    d.action = Action::UpdateNotice;
    d.reason = Reason::UpdatePending;
    d.effective = previous;
    d.prefill = previous;
    staleDocuments(m, r.choices, &d);
    SVC(serviceStates(m, d.effective, &r.services, &d.services); d.servicesPrefill = d.services);
    return Status();
  }
  // Continued use after the deadline: implicit acceptance with the same choices; new
  // categories start off, and nothing is turned on that the visitor did not turn on.
  d.action = Action::ImplicitAccept;
  d.reason = Reason::UpdateDue;
  Record& n = d.newRecord;
  n.id = r.id;
  stamp(m, now, Method::Implicit, &n);
  mapChoices(m, &r.choices, s.gpc, &n.choices);
  SVC(keepMarks(m, r.services, &n.services));  // never turns a service on
  makeEntry(m, Op::AcceptUpdate, now, n, r.historyHead, &d.entry);
  n.historyHead = d.entry.hash;
  d.effective = n.choices;
  d.prefill = n.choices;
  // The new record keeps each choice's document as it was: a choice given under a replaced
  // document stays pending (off now, asked again once the record is for this version).
  staleDocuments(m, n.choices, &d);
  // = the entry's services, but for pending categories
  SVC(serviceStates(m, d.effective, &n.services, &d.services); d.servicesPrefill = d.services);
  d.hasNewRecord = true;
  return Status();
}

Status apply(const Manifest& m, std::string_view stored, int64_t now, Signals s, const ApplyInput& in,
             ApplyResult* out) {
  Status err = validate(m);
  if (!err.ok()) return err;
  if (now < 0 || now >= kMaxMs) return fail(ErrorCode::BadArgument, "now is out of range");
  if (!in.prevHash.empty() && !isHex(in.prevHash, 64))
    return fail(ErrorCode::BadArgument, "prevHash must be 64 lowercase hex digits");

  Record prev;
  ErrorCode recordError;
  bool otherPolicy;
  bool havePrev = storedRecord(m, stored, &prev, &recordError, &otherPolicy);

  Record r;
  if (havePrev) r.id = prev.id;
  else if (!validRecordId(in.newId)) return fail(ErrorCode::BadArgument, "newId must match [A-Za-z0-9_-]{8,32}");
  else r.id.assign(in.newId);
  stamp(m, now, Method::Explicit, &r);

  switch (in.op) {
    case Op::AcceptAll:
      for (const CategorySpec& c : m.categories) r.choices.push_back({c.id, true, {}});
      stampDocuments(m, nullptr, &r.choices);
      SVC(markAll(m, true, nullptr, &r.services));
      break;
    case Op::RejectAll:
    case Op::Withdraw:
      mapChoices(m, nullptr, false, &r.choices);
      SVC(markAll(m, false, nullptr, &r.services));
      break;
    case Op::Set: {
      mapChoices(m, havePrev ? &prev.choices : nullptr, false, &r.choices);
      // The visitor now answers for every service: unmarked ones are marked off.
      SVC(markAll(m, false, havePrev ? &prev.services : nullptr, &r.services));
      Choices before = r.choices;
      Status e = setChoices(m, in.choices, &r.choices, &r.services);
      if (!e.ok()) return e;
      // Consent documents: an "off" choice carries none; a category the visitor answered now
      // (named, or turned on through one of its services) gets the document now in force.
      for (size_t i = 0; i < r.choices.size(); ++i) {
        Choice& c = r.choices[i];
        if (!c.on) c.doc = Str<kDocHashPrefix>();
        else if (!before[i].on || findChoice(in.choices, c.category)) c.doc.assign(docPrefix(m.categories[i]));
      }
      break;
    }
    case Op::AcceptUpdate:
      if (!havePrev) return fail(ErrorCode::NoRecord, "accept-update needs a stored record of this policy");
      mapChoices(m, &prev.choices, false, &r.choices);
      SVC(keepMarks(m, prev.services, &r.services));
      break;
    case Op::NoticeShown:
      if (!havePrev) return fail(ErrorCode::NoRecord, "notice-shown needs a stored record of this policy");
      r = prev;
      r.noticeVersion.assign(m.version);
      r.noticeAtMs = now;
      break;
    default:
      return fail(ErrorCode::BadArgument, "unknown op");
  }
  std::string_view prevHash = !in.prevHash.empty() ? in.prevHash : havePrev ? prev.historyHead.view() : in.prevHash;
  makeEntry(m, in.op, now, r, prevHash, &out->entry);
  r.historyHead = out->entry.hash;
  out->record = r;
  (void)s;
  return Status();
}

}  // namespace kelisim
