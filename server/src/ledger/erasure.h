// Erasure (DELETE /v1/records/{id}) and retention (--retention-days), docs/ledger.md §4: the
// personal fields (personal, record_id) of the rows are set to NULL by the store, personal_hash
// stays so the chain still verifies, and the ledger appends an `erasure` row of its own that
// says how many rows were erased, when and why, and names no record.
//
// Erasure row (kind "erasure", op "erasure", no method, policy "" / "", client_at 0, no
// record id, personal NULL, personal_hash = ledger::personalHash("")), body:
//   {"type":"erasure","v":2,"id":"x-<32 hex>","reason":"request"|"retention","count":N,
//    "records":R,"at":MS,"before":MS|null}
// (records: how many records; before: the retention cut-off). event_key = eventKey("erasure", id).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.h"

namespace kelisim {
namespace server {

struct App;

/** The erasure row for `count` rows of `records` records erased at `atMs`. beforeMs < 0: none. */
NewRow erasureRow(const std::string& reason, int64_t count, int64_t records, int64_t atMs, int64_t beforeMs = -1);

struct ErasureResult {
  StoreError error;      // !ok: see `erased` for what already happened
  int64_t erased = 0;    // rows whose personal fields were wiped
  int64_t seq = 0;       // the erasure row's seq (0 = none written)
};

/** Erases one record: Store::erase, then the erasure row through the writer. erased == 0 and
 *  no row when the store holds no (unerased) row of that record. When the erasure row cannot
 *  be written after the rows were erased, error says so (the erasure itself stands). */
ErasureResult eraseRecord(App& app, const std::string& recordId, int64_t nowMs);

/** Retention: when app.cfg.retentionDays > 0, wipes the personal fields of every row stored
 *  before nowMs - retentionDays days (Store::eraseBefore) and appends one erasure row
 *  (reason "retention") when any row was erased. Does nothing when retentionDays <= 0. */
ErasureResult runRetention(App& app, int64_t nowMs);

/** Runs runRetention(app, app.now()) at start() and then every `periodMs` on its own thread,
 *  until stop() (or destruction). Errors are printed to stderr and retried at the next tick. */
class RetentionTimer {
 public:
  explicit RetentionTimer(App& app, int64_t periodMs = 3600 * 1000) : app_(app), periodMs_(periodMs) {}
  ~RetentionTimer() { stop(); }
  void start();
  void stop();

 private:
  App& app_;
  int64_t periodMs_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace server
}  // namespace kelisim
