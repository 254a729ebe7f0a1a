// What the operator sees of one visitor record (GET /v1/records/{id}, docs/ledger.md §5): the
// record's rows as events, the state they lead to, and what can be verified about them —
// the visitor's own history chain, each row's seal, unknown policies, and for every implicit
// acceptance the update-notice display it rests on and the deadline it was due after.
// Pure functions over rows already read from the store; hash rules are the core's
// (wasm/core/ledger.h, consent.h deadline()).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace kelisim {
namespace server {

class Policies;

using ojson = nlohmann::ordered_json;

/** One implicit acceptance (change op accept-update, method implicit) and what it rests on. */
struct ImplicitAcceptance {
  int64_t seq = 0;             // the acceptance's row
  std::string policyId, version;
  int64_t atMs = 0;            // the entry's time (client clock: the core decided with it)
  bool policyKnown = false;    // the version is in --policies (else no deadline can be computed)
  int64_t deadlineMs = -1;     // core deadline(publishedAt, offset, updateRule.days); -1 unknown
  bool afterDeadline = false;  // atMs >= deadlineMs
  int64_t noticeSeq = 0;       // the update-notice display row it rests on (0 = none)
  int64_t noticeAtMs = 0;      // when that notice was shown (client clock)
  std::vector<std::string> flags;  // "implicit-without-notice", "implicit-before-deadline",
                                   // "notice-after-deadline", "deadline-unknown"
};

/** Everything derived from one record's rows. */
struct RecordView {
  std::string recordId;
  ojson events = ojson::array();  // one object per row, oldest first (see buildRecordView)
  ojson state;                    // null when the record has no consent decision
  bool chainOk = true;            // every change's prevHash is the previous change's hash
  ojson chainGaps = ojson::array();
  bool sealsOk = true;            // every row's row_hash/personal_hash recomputes
  std::vector<int64_t> badSeals;
  ojson unknownPolicies = ojson::array();
  std::vector<ImplicitAcceptance> implicit;
  /** No gap, no bad seal, every implicit acceptance rests on a notice and came after its
   *  deadline. (Unknown policies are reported but do not make a record invalid.) */
  bool valid() const;
  /** The JSON answer of GET /v1/records/{id}: {recordId, events, state, verification}. */
  ojson toJson() const;
};

/** Builds the view of one record. rows: rowsOfRecord(), oldest first. prevHashes: for each
 *  row's seq, the row_hash of the row at seq-1 (ledger::kGenesis for seq 1); a seq missing
 *  from the map counts as a bad seal. policies may be null (every policy unknown).
 *  A row whose body is not JSON is kept as an event with flag "bad-body". Never fails. */
RecordView buildRecordView(const std::string& recordId, const std::vector<Row>& rows,
                           const std::map<int64_t, std::string>& prevHashes, const Policies* policies);

/** The parsed body of a row (ordered_json, so that choices keep the order sent); a discarded
 *  value when the body is not JSON. */
ojson parseBody(const Row& row);

/** Daily counts by method and acceptance rate per category (GET /v1/stats) over change rows
 *  (any order). Days are UTC calendar days of server_at from fromMs to toMs (exclusive), every
 *  day listed, also the empty ones (at most maxDays of them; later days are dropped and
 *  "truncated": true is set). Methods: accept-all, reject-all, custom (op set), accept-update
 *  (explicit), implicit (accept-update, method implicit), withdrawn (op withdraw); notice-shown
 *  entries are not decisions and are not counted. A category's rate is the share of counted
 *  decisions that had it on, among the decisions that carried it. */
ojson buildStats(const std::vector<Row>& rows, int64_t fromMs, int64_t toMs, int maxDays = 400);

/** buildStats() a page of rows at a time (GET /v1/stats reads a long range in pages): add()
 *  every row, in any order and any number of calls, then json(). */
class StatsBuilder {
 public:
  /** offsetMs: the fixed UTC offset whose calendar days the counts go by (0 = UTC days). */
  StatsBuilder(int64_t fromMs, int64_t toMs, int maxDays = 400, int64_t offsetMs = 0);
  void add(const Row& r);
  ojson json() const;

 private:
  int64_t fromMs_, toMs_, offsetMs_, firstDay_, lastDay_;
  bool truncated_;
  std::vector<std::map<std::string, int64_t>> perDay_;
  std::map<std::string, int64_t> totals_;
  std::vector<std::string> categoryOrder_;
  std::map<std::string, std::pair<int64_t, int64_t>> categories_;  // id → (on, total)
};

/** A fixed UTC offset as ±HH:MM ("Z" = "+00:00") → ms, within ±14:00; false otherwise. */
bool parseUtcOffset(const std::string& s, int64_t* ms);
/** ms → "+05:00" / "-03:30" / "+00:00". */
std::string formatUtcOffset(int64_t ms);

/** The chart series name of a change row ("" when it is not a counted decision). */
std::string statsMethod(const std::string& op, const std::string& method);

/** ISO 8601 UTC with milliseconds ("2026-12-06T10:00:00.123Z") of epoch ms. */
std::string isoUtc(int64_t ms);

}  // namespace server
}  // namespace kelisim
