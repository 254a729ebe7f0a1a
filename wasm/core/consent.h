// The consent engine: pure functions of (manifest, stored record, now, signals).
// No clock, no I/O, no heap: every type on the consent path has a fixed capacity and is
// trivially copyable, so the consent wasm module (loaded on every page) needs neither an
// allocator nor std::string/std::vector code. Errors are values.
// Semantics: ../shared/docs/DESIGN.md "Consent semantics"; the update rule comes from
// seed 003, clause 1.2 (accepted by pressing Accept, or by continued use after 7 calendar
// days from publication).
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>  // not used here; kept because code that includes this header relies on it

#include "core/constants.h"

namespace kelisim {

constexpr int64_t kDayMs = 86400000;

/** a == b, as a plain loop: smaller in wasm than string_view's compare() (which also orders). */
inline bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/** An error as a value: a code from constants.json, a message naming what and where.
 *  (Used by the policy code; the consent engine returns the heap-free Status below.) */
struct Error {
  ErrorCode code = ErrorCode::Ok;
  std::string message;
  bool ok() const { return code == ErrorCode::Ok; }
};

/** The consent engine's error value, without heap: the message is `text` with its '\1', if
 *  any, standing for `subject`, which views the caller's own input (e.g. the offending
 *  category id; possibly empty). Valid as long as that input is. */
struct Status {
  ErrorCode code = ErrorCode::Ok;
  const char* text = "";
  std::string_view subject;
  bool ok() const { return code == ErrorCode::Ok; }
  /** The whole message as one string (native convenience; the wasm bridge copies the parts). */
  std::string message() const {
    std::string s;
    for (const char* p = text; *p; ++p) *p == '\1' ? s += subject : s += *p;
    return s;
  }
};

// ---------------------------------------------------------------------------
// Fixed-capacity building blocks
// ---------------------------------------------------------------------------

/** A string of at most N bytes stored inline. Every id on the consent path has a bounded,
 *  validated length, so this replaces std::string there. */
template <size_t N>
class Str {
  static_assert(N < 256, "length is stored in one byte");

 public:
  Str() = default;
  /** From anything viewable as a string_view; longer than N → empty (see assign). */
  template <class S, class = std::enable_if_t<std::is_convertible_v<const S&, std::string_view>>>
  Str(const S& s) {  // NOLINT: implicit on purpose, fields read like strings
    assign(s);
  }
  /** Copies s; returns false and leaves the value empty when s is longer than N. */
  bool assign(std::string_view s) {
    n_ = 0;
    if (s.size() > N) return false;
    for (size_t i = 0; i < s.size(); ++i) s_[i] = s[i];
    n_ = uint8_t(s.size());
    return true;
  }
  std::string_view view() const { return std::string_view(s_, n_); }
  operator std::string_view() const { return view(); }
  bool empty() const { return n_ == 0; }
  size_t size() const { return n_; }
  bool operator==(const Str& o) const { return same(view(), o.view()); }
  bool operator!=(const Str& o) const { return !(*this == o); }

 private:
  uint8_t n_ = 0;
  char s_[N];
};

/** A list of at most N items stored inline (T trivially copyable). */
template <class T, size_t N>
class FixedList {
 public:
  FixedList() = default;
  FixedList(std::initializer_list<T> items) {
    for (const T& x : items) push_back(x);
  }
  /** Appends x; returns false (x is dropped) when the list is full. */
  bool push_back(const T& x) {
    if (n_ == N) return false;
    items_[n_++] = x;
    return true;
  }
  void clear() { n_ = 0; }
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  T* begin() { return items_; }
  T* end() { return items_ + n_; }
  const T* begin() const { return items_; }
  const T* end() const { return items_ + n_; }
  T& operator[](size_t i) { return items_[i]; }
  const T& operator[](size_t i) const { return items_[i]; }
  bool operator==(const FixedList& o) const {
    if (n_ != o.n_) return false;
    for (uint32_t i = 0; i < n_; ++i)
      if (!(items_[i] == o.items_[i])) return false;
    return true;
  }

 private:
  uint32_t n_ = 0;
  T items_[N];
};

/** Bounded output text (records, history entries, choices, numbers), built without heap.
 *  Every producer's length is bounded by the field limits (the longest, a record with 64
 *  choices of 32-character ids, is ~2.6 KB); appending past kCapacity traps rather than
 *  truncating silently. */
class Text {
 public:
  static constexpr size_t kCapacity = 4096;
  Text() = default;
  Text& operator+=(std::string_view s);
  Text& operator+=(char c) { return *this += std::string_view(&c, 1); }
  /** Appends a NUL-terminated string (a loop: smaller in wasm than a call to libc's strlen). */
  Text& operator+=(const char* s) {
    while (*s) *this += *s++;
    return *this;
  }
  std::string_view view() const { return std::string_view(buf_, n_); }
  operator std::string_view() const { return view(); }
  size_t size() const { return n_; }
  /** A std::string copy (native convenience). */
  std::string str() const { return std::string(view()); }
  bool operator==(std::string_view o) const { return same(view(), o); }
  bool operator!=(std::string_view o) const { return !same(view(), o); }

 private:
  uint32_t n_ = 0;
  char buf_[kCapacity];
};

using Id = Str<32>;        // record ids, versions, category ids: ≤ 32 characters
using PolicyId = Str<64>;  // [a-z0-9][a-z0-9._-]{0,63}
using Hex64 = Str<64>;     // a SHA-256 in hex, or empty

constexpr size_t kMaxCategories = 32;  // a manifest lists 1..32 categories
constexpr size_t kMaxChoices = 64;     // a choices text holds at most 64 items
constexpr size_t kMaxServices = 32;    // a manifest lists at most 32 services

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

enum class UpdateRule : int32_t { Implicit = 0, Explicit = 1 };

struct CategorySpec {
  std::string_view id;   // [a-z][a-z0-9_]{0,31}; views the caller's text
  bool required = false; // always on, cannot be refused
  bool gpcOff = false;   // defaults off when the visitor sends Global Privacy Control
  /// SHA-256 (64 hex) of the consent document in force for this category (the manifest's
  /// categories[].consent.hash; policies/README.md "Consent documents"), or "" for none.
  /// A choice to turn the category on records its first kDocHashPrefix digits.
  std::string_view docHash;
};

/** A service the site uses (issue 12): a third party its pages talk to, under one category.
 *  Both fields view the caller's text. */
struct ServiceSpec {
  std::string_view id;        // [a-z][a-z0-9-]{0,31}, never equal to a category id
  std::string_view category;  // the id of one of the manifest's categories
};

/** The manifest fields the banner needs (the shell parses manifest.json and fills these).
 *  The string fields view the caller's text, which must outlive the calls that use them. */
struct Manifest {
  std::string_view policyId;  // [a-z0-9][a-z0-9._-]{0,63}
  std::string_view version;   // [A-Za-z0-9][A-Za-z0-9._-]{0,31}
  std::string_view bodyHash;  // SHA-256 of the canonical body, 64 lowercase hex
  int64_t publishedAtMs = 0;
  int32_t offsetMinutes = 0;  // UTC offset of publishedAt, the policy's own time zone
  UpdateRule rule = UpdateRule::Implicit;
  int32_t implicitDays = 7;
  bool material = false;      // the update adds consent purposes: ask again
  // One slot more than allowed: an over-long list keeps 33 entries (the rest are dropped on
  // push_back), so validate() still sees it is too long.
  FixedList<CategorySpec, kMaxCategories + 1> categories;
  // Services per category (services.cpp), in the policy header's order; spare slot as above.
  FixedList<ServiceSpec, kMaxServices + 1> services;
  int64_t maxAgeAcceptedMs = 365 * kDayMs;
  int64_t maxAgeRejectedMs = 182 * kDayMs;  // CNIL: re-ask a refusal after ~6 months
};

/** Checks every field; returns ErrorCode::ManifestInvalid with the field name on failure. */
Status validate(const Manifest& m);

/// Hex digits of a consent document's hash a choice records (choicesText "id:1:3f9a2c1b").
constexpr size_t kDocHashPrefix = 8;

struct Choice {
  Id category;
  bool on = false;
  /// First kDocHashPrefix hex digits of the consent document the category was turned on
  /// under ("" = none: off, or no document). Only an "on" choice carries one.
  Str<kDocHashPrefix> doc;
  bool operator==(const Choice& o) const { return category == o.category && on == o.on && doc == o.doc; }
};
using Choices = FixedList<Choice, kMaxChoices>;
/** On/off per service by id: a Choices whose Choice::category holds a service id (the same
 *  "id:1.id:0" text form; see services.cpp). */
using ServiceChoices = Choices;

/** A service the visitor was asked about, as the record keeps it: the service's short hash
 *  (serviceHash, 25 bits) and whether the visitor turned it on. A service without a mark was
 *  never put before the visitor: it is off, and if its category is on, the visitor is asked. */
struct ServiceMark {
  uint32_t hash = 0;
  bool on = false;
  bool operator==(const ServiceMark& o) const { return hash == o.hash && on == o.on; }
};
using ServiceMarks = FixedList<ServiceMark, kMaxServices>;

/** A stored consent decision. Encoded by encodeRecord, kept by the shell in cookie/localStorage. */
struct Record {
  Id id;                   // record id from the shell's CSPRNG, [A-Za-z0-9_-]{8,32}
  PolicyId policyId;
  Id version;
  Str<16> bodyHash16;      // first 16 hex digits of the policy body hash
  int64_t givenAtMs = 0;   // when this choice was made (explicitly or implicitly)
  Method method = Method::Explicit;
  Choices choices;         // every category of that version, in manifest order
  Id noticeVersion;        // version whose update notice was shown ("" = none)
  int64_t noticeAtMs = 0;
  Hex64 historyHead;       // hash of the newest history entry, 64 hex ("" = none)
  ServiceMarks services;   // the services the visitor was asked about (none: a "k1~" record)
  bool operator==(const Record& o) const;
};

/** Record codec. The text is cookie-safe (RFC 6265 cookie-octets only), ≤ 600 bytes for 10
 *  categories and 30 services, versioned ("k1~"; "k2~" when it has service marks) and carries
 *  a SHA-256-based check of everything before it. */
Text encodeRecord(const Record& r);

struct DecodeResult {
  bool ok = false;
  Record record;
  ErrorCode error = ErrorCode::RecordAbsent;  // why there is no record when !ok
};
/** Never fails hard: empty → RecordAbsent; too long, foreign, unknown version, malformed or
 *  failing the check → that code and no record (record == Record()). */
DecodeResult decodeRecord(std::string_view text);
constexpr size_t kMaxRecordLength = 1024;
/// Every instant the core takes or stores (now, publishedAt, a record's times) lies before
/// 10000-01-01T00:00Z: beyond any real date, and exact as a JS number (< 2^53).
constexpr int64_t kMaxMs = 253402300800000;

/** Parses an ISO 8601 instant with an explicit offset ("2025-06-10T12:00:00+05:00",
 *  "…T07:00:00.5Z", seconds optional) into epoch ms and the offset in minutes. Returns false
 *  for anything else (no offset, impossible dates such as 2025-02-29, offsets beyond ±14:00). */
bool parseInstant(std::string_view iso, int64_t* ms, int32_t* offsetMinutes);

/** Start of local calendar day D+days+1 in the policy's offset, where D is the local date of
 *  publishedAt; returned as epoch ms. (DESIGN.md: 2025-06-10 +05:00, 7 days →
 *  2025-06-18T00:00+05:00 = 2025-06-17T19:00Z.) */
int64_t deadline(int64_t publishedAtMs, int32_t offsetMinutes, int32_t days);

struct Signals {
  bool gpc = false;  // navigator.globalPrivacyControl
};

/** One entry of the hash-chained history of consent changes. */
struct HistoryEntry {
  Op op = Op::AcceptAll;
  int64_t atMs = 0;
  Id version;
  Method method = Method::Explicit;
  Choices choices;
  Hex64 prevHash;  // 64 hex of the previous entry ("" for the first)
  Hex64 hash;      // 64 hex: SHA-256(prevHash "\n" canonical())
  ServiceChoices services;  // every service of the manifest, on/off after the change
  /** Canonical text that the hash covers: op~at~version~method~choices, then ~services when
   *  the manifest declares services (so entries without services hash as they always did). */
  Text canonical() const;
};

/** The hash a history entry must carry: SHA-256(prevHash "\n" canonical()) as 64 lowercase
 *  hex. The page (through apply/decide), the CLI and the ledger server (which checks every
 *  reported entry with it) all use this one rule. */
Hex64 entryHash(const HistoryEntry& e);

/** Checks a stored history, oldest first, one entry per line:
 *  op~at~version~method~choices~services~prevHash~hash (wire names, decimal ms, choicesText
 *  forms, services "" when the entry has none). Every entry must parse, carry entryHash() as
 *  its hash, and, after the first, name the one before it as prevHash (the first may point at
 *  an older entry the store has dropped). Returns the index of the first entry that does not
 *  hold, or -1 when all do (and for ""). Receipts re-verify the visitor's history with it. */
int32_t verifyHistory(std::string_view lines);

/** The enum value whose wire name (constants.json, name()) is s; false for any other text.
 *  Works for every generated enum: their values run 0, 1, … and name() of the first value
 *  past the end is "". */
template <class E>
bool fromName(std::string_view s, E* out) {
  for (int32_t i = 0; i < 64; ++i) {
    const char* n = name(E(i));
    if (!*n) return false;
    if (same(s, n)) {
      *out = E(i);
      return true;
    }
  }
  return false;
}

struct Decision {
  Action action = Action::Banner;
  Reason reason = Reason::NoRecord;
  ErrorCode recordError = ErrorCode::Ok;  // why the stored value was unusable, if it was
  int64_t deadlineMs = -1;                // when an update is pending or was just implicitly accepted
  Choices effective;  // on/off of every category now (required always on)
  Choices prefill;    // what the banner/preferences should show preselected
  /// Categories turned on under another consent document than the one now in force
  /// (staleDocuments): off in `effective` and `prefill` until the visitor answers again.
  /// With Reason::DocumentChanged they are the only categories asked about.
  FixedList<Id, kMaxCategories> pending;
  ServiceChoices services;         // on/off of every service now (effective)
  ServiceChoices servicesPrefill;  // the services' switches to show preselected
  bool hasNewRecord = false;  // implicit-accept: store newRecord, append entry
  Record newRecord;
  HistoryEntry entry;
};

/** Decides what the page must do now. `stored` is the raw stored string (may be empty or
 *  garbage). Fails only when the manifest is invalid. */
Status decide(const Manifest& m, std::string_view stored, int64_t nowMs, Signals s, Decision* out);

struct ApplyInput {
  Op op = Op::AcceptAll;
  Choices choices;             // for Op::Set: the categories and services to change
  std::string_view newId;      // record id to use when there is no valid stored record
  std::string_view prevHash;   // hash of the newest history entry; "" = take the stored record's head
};

struct ApplyResult {
  Record record;
  HistoryEntry entry;
};

/** Applies a visitor action to the stored state; returns the new record and its history
 *  entry. Errors: ManifestInvalid, BadArgument (bad id/op), UnknownCategory (an id that is
 *  neither, when the manifest declares no services), UnknownService (the same when it does),
 *  RequiredCategory (turning a required category, or a service of one, off), NoRecord
 *  (accept-update or notice-shown without a valid record of this policy).
 *  Op::Set: a category in choices sets itself and every service of it; a service sets itself
 *  (on also turns its category on); categories are applied before services. */
Status apply(const Manifest& m, std::string_view stored, int64_t nowMs, Signals s, const ApplyInput& in,
             ApplyResult* out);

/** choices as "id:1.id2:0" (the record and history wire form); a choice made under a consent
 *  document is "id:1:<kDocHashPrefix hex>" (without documents the text is what it always was). */
Text choicesText(const Choices& c);
/** Parses choicesText's form (at most kMaxChoices items); false on any malformed item,
 *  duplicate id, or document prefix on an "off" choice. Ids are category ids, or with
 *  `services` also service ids. */
bool parseChoices(std::string_view text, Choices* out, bool services = false);

/** Decimal text of v (no locale, no printf). */
Text decimal(int64_t v);
/** Parses an optional '-' and 1–18 digits; false otherwise. */
bool parseDecimal(std::string_view s, int64_t* out);
/** Splits s at every `sep` into out[0..max) and returns how many fields s has: more than max
 *  when there are too many (then only the first max are filled). */
inline size_t splitFields(std::string_view s, char sep, std::string_view* out, size_t max) {
  size_t n = 0;
  size_t start = 0;
  for (size_t p = 0; p <= s.size(); ++p) {
    if (p == s.size() || s[p] == sep) {
      if (n == max) return max + 1;
      out[n++] = std::string_view(s.data() + start, p - start);
      start = p + 1;
    }
  }
  return n;
}

bool validPolicyId(std::string_view s);
bool validVersion(std::string_view s);
bool validCategoryId(std::string_view s);
bool validServiceId(std::string_view s);  // [a-z][a-z0-9-]{0,31}
bool validRecordId(std::string_view s);
bool isHex(std::string_view s, size_t len);

// ---------------------------------------------------------------------------
// Services (services.cpp)
// ---------------------------------------------------------------------------

/** A service id's short hash as the record stores it: the first 25 bits of SHA-256(id). */
uint32_t serviceHash(std::string_view id);
/** Checks the manifest's services (ids, categories, no id twice or equal to a category, no
 *  two hashes alike); returns ManifestInvalid naming the service, or ok. */
Status validateServices(const Manifest& m);
/** Every service of m, on when its category is on in `cats` and it is required (its category
 *  is) or marked on in `marks` (null: no marks). */
void serviceStates(const Manifest& m, const Choices& cats, const ServiceMarks* marks, ServiceChoices* out);
/** True when a service of m sits in an optional category that is on in `cats` but has no
 *  mark: a new recipient the visitor has not been asked about. */
bool unaskedService(const Manifest& m, const Choices& cats, const ServiceMarks& marks);
/** The marks of `from` for m's services still listed (m's order); unmarked ones stay so. */
void keepMarks(const Manifest& m, const ServiceMarks& from, ServiceMarks* out);
/** Marks every service of m (the visitor was asked about all of them): on when `allOn`, when
 *  its category is required, or (with `from`) when marked on there. */
void markAll(const Manifest& m, bool allOn, const ServiceMarks* from, ServiceMarks* out);
/** Op::Set's rule (see apply) for `changes` onto cats and marks. */
Status setChoices(const Manifest& m, const Choices& changes, Choices* cats, ServiceMarks* marks);
/** Marks as the record writes them: 5 base-32 digits of the hash, then '1' or '0', per mark. */
void appendMarks(Text& out, const ServiceMarks& marks);
/** Parses appendMarks's form (1..kMaxServices marks, no hash twice); false otherwise. */
bool parseMarks(std::string_view text, ServiceMarks* out);

}  // namespace kelisim
