// Erasure and retention. See erasure.h.
#include "ledger/erasure.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "app.h"
#include "core/consent.h"
#include "core/ledger.h"
#include "ledger/writer.h"

namespace kelisim {
namespace server {
namespace {

std::string randomId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  static const char* hex = "0123456789abcdef";
  std::string s = "x-";
  for (unsigned char c : b) {
    s += hex[c >> 4];
    s += hex[c & 15];
  }
  return s;
}

ErasureResult appendErasure(App& app, NewRow row, ErasureResult res) {
  SubmitResult sub = app.writer->submit({std::move(row)});
  if (!sub.error.ok()) {
    res.error = sub.error;
    res.error.message = "the rows were erased, but the erasure row could not be written: " + sub.error.message;
    return res;
  }
  if (!sub.results.empty()) res.seq = sub.results[0].seq;
  return res;
}

}  // namespace

NewRow erasureRow(const std::string& reason, int64_t count, int64_t records, int64_t atMs, int64_t beforeMs) {
  std::string id = randomId();
  nlohmann::ordered_json body = {{"type", "erasure"}, {"v", 2},           {"id", id},
                                 {"reason", reason},  {"count", count},   {"records", records},
                                 {"at", atMs},        {"before", beforeMs >= 0 ? nlohmann::ordered_json(beforeMs) : nlohmann::ordered_json()}};
  NewRow r;
  r.eventKey = ledger::eventKey("erasure", id);
  r.kind = "erasure";
  r.op = "erasure";
  r.body = body.dump();
  r.personalHash = ledger::personalHash("");
  return r;
}

ErasureResult eraseRecord(App& app, const std::string& recordId, int64_t nowMs) {
  ErasureResult res;
  res.error = app.store->erase(recordId, nowMs, &res.erased);
  if (!res.error.ok() || res.erased == 0) return res;
  return appendErasure(app, erasureRow("request", res.erased, 1, nowMs), res);
}

ErasureResult runRetention(App& app, int64_t nowMs) {
  ErasureResult res;
  if (app.cfg.retentionDays <= 0) return res;
  int64_t before = nowMs - static_cast<int64_t>(app.cfg.retentionDays) * kDayMs;
  std::vector<std::string> records;
  res.error = app.store->eraseBefore(before, nowMs, &res.erased, &records);
  if (!res.error.ok() || res.erased == 0) return res;
  return appendErasure(app, erasureRow("retention", res.erased, static_cast<int64_t>(records.size()), nowMs, before), res);
}

void RetentionTimer::start() {
  if (app_.cfg.retentionDays <= 0 || thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      ErasureResult r = runRetention(app_, app_.now());
      if (!r.error.ok()) std::fprintf(stderr, "kelisim-server: retention: %s\n", r.error.message.c_str());
      else if (r.erased) std::fprintf(stderr, "kelisim-server: retention: erased the personal fields of %lld rows\n",
                                      static_cast<long long>(r.erased));
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(periodMs_), [this] { return stopping_; });
    }
  });
}

void RetentionTimer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace server
}  // namespace kelisim
