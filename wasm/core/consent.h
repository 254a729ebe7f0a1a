// The consent engine: pure functions of (manifest, stored record, now, signals).
// No clock, no I/O, no allocation that outlives a call; errors are values.
// Semantics: ../shared/docs/DESIGN.md "Consent semantics"; the update rule comes from
// seed 003, clause 1.2 (accepted by pressing Accept, or by continued use after 7 calendar
// days from publication).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/constants.h"

namespace kelisim {

constexpr int64_t kDayMs = 86400000;

/** An error as a value: a code from constants.json, a message naming what and where. */
struct Error {
  ErrorCode code = ErrorCode::Ok;
  std::string message;
  bool ok() const { return code == ErrorCode::Ok; }
};

enum class UpdateRule : int32_t { Implicit = 0, Explicit = 1 };

struct CategorySpec {
  std::string id;        // [a-z][a-z0-9_]{0,31}
  bool required = false; // always on, cannot be refused
  bool gpcOff = false;   // defaults off when the visitor sends Global Privacy Control
};

/** The manifest fields the banner needs (the shell parses manifest.json and fills these). */
struct Manifest {
  std::string policyId;   // [a-z0-9][a-z0-9._-]{0,63}
  std::string version;    // [A-Za-z0-9][A-Za-z0-9._-]{0,31}
  std::string bodyHash;   // SHA-256 of the canonical body, 64 lowercase hex
  int64_t publishedAtMs = 0;
  int32_t offsetMinutes = 0;  // UTC offset of publishedAt, the policy's own time zone
  UpdateRule rule = UpdateRule::Implicit;
  int32_t implicitDays = 7;
  bool material = false;      // the update adds consent purposes: ask again
  std::vector<CategorySpec> categories;
  int64_t maxAgeAcceptedMs = 365 * kDayMs;
  int64_t maxAgeRejectedMs = 182 * kDayMs;  // CNIL: re-ask a refusal after ~6 months
};

/** Checks every field; returns ErrorCode::ManifestInvalid with the field name on failure. */
Error validate(const Manifest& m);

struct Choice {
  std::string category;
  bool on = false;
  bool operator==(const Choice& o) const { return category == o.category && on == o.on; }
};
using Choices = std::vector<Choice>;

/** A stored consent decision. Encoded by encodeRecord, kept by the shell in cookie/localStorage. */
struct Record {
  std::string id;          // record id from the shell's CSPRNG, [A-Za-z0-9_-]{8,32}
  std::string policyId;
  std::string version;
  std::string bodyHash16;  // first 16 hex digits of the policy body hash
  int64_t givenAtMs = 0;   // when this choice was made (explicitly or implicitly)
  Method method = Method::Explicit;
  Choices choices;         // every category of that version, in manifest order
  std::string noticeVersion;  // version whose update notice was shown ("" = none)
  int64_t noticeAtMs = 0;
  std::string historyHead;    // hash of the newest history entry, 64 hex ("" = none)
  bool operator==(const Record& o) const;
};

/** Record codec. The text is cookie-safe (RFC 6265 cookie-octets only), ≤ 600 bytes for 10
 *  categories, versioned ("k1~") and carries a SHA-256-based check of everything before it. */
std::string encodeRecord(const Record& r);

struct DecodeResult {
  bool ok = false;
  Record record;
  ErrorCode error = ErrorCode::RecordAbsent;  // why there is no record when !ok
};
/** Never fails hard: empty → RecordAbsent; too long, foreign, unknown version, malformed or
 *  failing the check → that code and no record. */
DecodeResult decodeRecord(std::string_view text);
constexpr size_t kMaxRecordLength = 1024;

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
  std::string version;
  Method method = Method::Explicit;
  Choices choices;
  std::string prevHash;  // 64 hex of the previous entry ("" for the first)
  std::string hash;      // 64 hex: SHA-256(prevHash "\n" canonical())
  /** Canonical text that the hash covers: op~at~version~method~choices. */
  std::string canonical() const;
};

struct Decision {
  Action action = Action::Banner;
  Reason reason = Reason::NoRecord;
  ErrorCode recordError = ErrorCode::Ok;  // why the stored value was unusable, if it was
  int64_t deadlineMs = -1;                // when an update is pending or was just implicitly accepted
  Choices effective;  // on/off of every category now (required always on)
  Choices prefill;    // what the banner/preferences should show preselected
  bool hasNewRecord = false;  // implicit-accept: store newRecord, append entry
  Record newRecord;
  HistoryEntry entry;
};

/** Decides what the page must do now. `stored` is the raw stored string (may be empty or
 *  garbage). Fails only when the manifest is invalid. */
Error decide(const Manifest& m, std::string_view stored, int64_t nowMs, Signals s, Decision* out);

struct ApplyInput {
  Op op = Op::AcceptAll;
  Choices choices;       // for Op::Set: the categories to change
  std::string newId;     // record id to use when there is no valid stored record
  std::string prevHash;  // hash of the newest history entry; "" = take the stored record's head
};

struct ApplyResult {
  Record record;
  HistoryEntry entry;
};

/** Applies a visitor action to the stored state; returns the new record and its history
 *  entry. Errors: ManifestInvalid, BadArgument (bad id/op), UnknownCategory,
 *  RequiredCategory (turning a required category off), NoRecord (accept-update or
 *  notice-shown without a valid record of this policy). */
Error apply(const Manifest& m, std::string_view stored, int64_t nowMs, Signals s, const ApplyInput& in,
            ApplyResult* out);

/** choices as "id:1.id2:0" (the record and history wire form). */
std::string choicesText(const Choices& c);
/** Parses choicesText's form; false on any malformed item or duplicate id. */
bool parseChoices(std::string_view text, Choices* out);

/** Decimal text of v (no locale, no printf). */
std::string decimal(int64_t v);
/** Parses an optional '-' and 1–18 digits; false otherwise. */
bool parseDecimal(std::string_view s, int64_t* out);

bool validPolicyId(std::string_view s);
bool validVersion(std::string_view s);
bool validCategoryId(std::string_view s);
bool validRecordId(std::string_view s);
bool isHex(std::string_view s, size_t len);

}  // namespace kelisim
