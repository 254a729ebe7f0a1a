// Several writers on one PostgreSQL ledger (docs/ledger.md §4, issue 11 "several kelisim-server
// processes on one PostgreSQL must store each event exactly once"), and a PostgreSQL restart in
// the middle of a run ("nothing acknowledged is lost, nothing duplicated").
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/ledger.h"
#include "store/store.h"
#include "store_test_util.h"

namespace kelisim {
namespace server {
namespace {

using testing_util::changeRow;
using testing_util::chainProblem;
using testing_util::sealer;
using Clock = std::chrono::steady_clock;

const int64_t kT0 = 1796551200000;

std::unique_ptr<Store> openMigrated(const std::string& uri) {
  std::string err;
  std::unique_ptr<Store> s = openPostgresStore(uri, &err);
  EXPECT_TRUE(s) << err;
  if (!s) return nullptr;
  StoreError e = s->migrate();
  EXPECT_TRUE(e.ok()) << e.message;
  return s;
}

std::vector<Row> allRows(Store& s) {
  std::vector<Row> rows;
  StoreError e = s.rowsBySeq(1, 0, 0, &rows);
  EXPECT_TRUE(e.ok()) << e.message;
  return rows;
}

// N stores (N connection pools, as N servers would have) start at once on an empty database
// and each appends every one of the same events, in batches of 10, each in its own order:
// every event is stored once, seq runs 1..n without gaps, the row hashes chain, and every
// writer was told the same seq for an event.
TEST(PostgresMulti, WritersAppendingTheSameEventsStoreEachOnce) {
  testing_util::PgTestDb db;
  ASSERT_EQ(db.error, "");
  const int kWriters = 4, kEvents = 300, kBatch = 10;
  std::vector<NewRow> events;
  for (int i = 0; i < kEvents; ++i) events.push_back(changeRow("rec-" + std::to_string(i % 37) + "-multi", "e" + std::to_string(i)));

  // Concurrent migrate() too: the advisory lock makes the second wait, then find it done.
  std::vector<std::unique_ptr<Store>> stores(kWriters);
  {
    std::vector<std::thread> openers;
    for (int w = 0; w < kWriters; ++w) openers.emplace_back([&, w] { stores[w] = openMigrated(db.uri()); });
    for (auto& t : openers) t.join();
  }
  for (auto& s : stores) ASSERT_TRUE(s);

  std::vector<std::map<std::string, AppendResult>> told(kWriters);  // per writer: event_key -> result
  std::vector<std::string> errors(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::vector<NewRow> mine = events;
      std::shuffle(mine.begin(), mine.end(), std::mt19937(1234 + w));
      for (size_t at = 0; at < mine.size(); at += kBatch) {
        std::vector<NewRow> batch(mine.begin() + at, mine.begin() + std::min(mine.size(), at + kBatch));
        std::vector<AppendResult> out;
        StoreError e = stores[w]->append(batch, kT0 + static_cast<int64_t>(at), sealer(), &out);
        if (!e.ok()) {
          errors[w] = e.message;
          return;
        }
        for (size_t i = 0; i < batch.size(); ++i) told[w][batch[i].eventKey] = out[i];
      }
    });
  }
  for (auto& t : writers) t.join();
  for (int w = 0; w < kWriters; ++w) ASSERT_EQ(errors[w], "") << "writer " << w;

  std::vector<Row> rows = allRows(*stores[0]);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(chainProblem(rows), "");
  std::set<std::string> keys;
  for (const Row& r : rows) keys.insert(r.eventKey);
  EXPECT_EQ(keys.size(), static_cast<size_t>(kEvents));
  Head h;
  ASSERT_TRUE(stores[1]->head(&h).ok());
  EXPECT_EQ(h.seq, kEvents);
  EXPECT_EQ(h.hash, rows.back().rowHash);

  std::map<std::string, int64_t> seqOf;
  for (const Row& r : rows) seqOf[r.eventKey] = r.seq;
  for (const NewRow& ev : events) {
    int storedBy = 0;
    for (int w = 0; w < kWriters; ++w) {
      const AppendResult& res = told[w].at(ev.eventKey);
      EXPECT_EQ(res.seq, seqOf[ev.eventKey]) << "writer " << w << " was told another seq";
      storedBy += res.stored ? 1 : 0;
    }
    EXPECT_EQ(storedBy, 1) << ev.eventKey;
  }
}

/** A PostgreSQL of the test's own (scripts/pg-test.sh in a directory of its own), so that
 *  restarting it disturbs no other test running at the same time (ctest -j). */
class OwnPostgres {
 public:
  OwnPostgres() {
    dir_ = std::string(KELISIM_BINARY_DIR) + "/pg-restart-" + testing_util::randomHex(8);
    ok = script("start");
    std::string why;
    if (ok) {
      std::ifstream in(dir_ + "/url");
      std::getline(in, url);
      ok = !url.empty();
    }
  }
  /** Stops it the quick way: SIGQUIT to its postmaster (pg_ctl's "immediate" mode; its fast
   *  mode writes a shutdown checkpoint, seconds here), then pg-test.sh stop removes the folder. */
  ~OwnPostgres() {
    std::ifstream pidFile(dir_ + "/data/postmaster.pid");
    long pid = 0;
    if (pidFile >> pid && pid > 0) {
      ::kill(static_cast<pid_t>(pid), SIGQUIT);
      for (int i = 0; i < 100 && ::kill(static_cast<pid_t>(pid), 0) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    script("stop");
  }
  bool script(const char* cmd) {
    std::string line = std::string("bash ") + KELISIM_SOURCE_DIR + "/scripts/pg-test.sh " + cmd + " " + dir_ + " >/dev/null";
    return std::system(line.c_str()) == 0;
  }
  bool ok = false;
  std::string url;

 private:
  std::string dir_;
};

// Writers append while PostgreSQL is restarted (pg_ctl stop -m fast, then start): appends
// fail with `unavailable` while it is away and the writers send the same batch again (as the
// outbox does after a 503); afterwards every append that returned ok is in the database with
// the seq it was told, nothing is stored twice, seq has no gaps, the chain verifies, and every
// writer appended again after the restart.
TEST(PostgresMulti, RestartMidRunLosesAndDuplicatesNothing) {
  OwnPostgres pg;
  ASSERT_TRUE(pg.ok) << "scripts/pg-test.sh start failed";
  const int kWriters = 3;
  std::vector<std::unique_ptr<Store>> stores(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    stores[w] = openMigrated(pg.url);
    ASSERT_TRUE(stores[w]);
  }

  std::atomic<bool> stop{false};
  std::atomic<int64_t> restartedAt{0};  // steady ms when the restart finished
  std::mutex m;
  std::map<std::string, int64_t> acked;  // event_key -> seq it was told
  std::set<std::string> sent;
  std::vector<int> unavailable(kWriters, 0), okAfterRestart(kWriters, 0);
  std::vector<std::string> errors(kWriters);
  auto nowMs = [] { return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count(); };

  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop; ++i) {
        // Five events of this writer's own and one every writer sends in its i-th batch.
        std::vector<NewRow> batch;
        for (int j = 0; j < 5; ++j) batch.push_back(changeRow("rec-w" + std::to_string(w) + "-restart", std::to_string(i) + "-" + std::to_string(j)));
        batch.push_back(changeRow("rec-shared-restart", "s" + std::to_string(i)));
        {
          std::lock_guard<std::mutex> lock(m);
          for (const NewRow& r : batch) sent.insert(r.eventKey);
        }
        for (;;) {  // the same batch until it is acknowledged
          std::vector<AppendResult> out;
          StoreError e = stores[w]->append(batch, kT0 + i, sealer(), &out);
          if (e.ok()) {
            std::lock_guard<std::mutex> lock(m);
            for (size_t k = 0; k < batch.size(); ++k) {
              auto it = acked.emplace(batch[k].eventKey, out[k].seq).first;
              if (it->second != out[k].seq) errors[w] = "two seqs told for one event";
            }
            if (restartedAt && nowMs() > restartedAt) ++okAfterRestart[w];
            break;
          }
          if (!e.unavailable) {
            errors[w] = e.message;
            return;
          }
          ++unavailable[w];
          if (stop) return;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  ASSERT_TRUE(pg.script("restart")) << "scripts/pg-test.sh restart failed";
  restartedAt = nowMs();
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  stop = true;
  for (auto& t : writers) t.join();

  for (int w = 0; w < kWriters; ++w) {
    EXPECT_EQ(errors[w], "") << "writer " << w;
    EXPECT_GT(okAfterRestart[w], 0) << "writer " << w << " did not append after the restart";
  }
  int unavailableTotal = 0;
  for (int n : unavailable) unavailableTotal += n;
  EXPECT_GT(unavailableTotal, 0) << "the restart did not reach the writers: the test proved nothing";

  std::unique_ptr<Store> check = openMigrated(pg.url);
  ASSERT_TRUE(check);
  std::vector<Row> rows = allRows(*check);
  EXPECT_EQ(chainProblem(rows), "");
  std::map<std::string, int64_t> stored;
  for (const Row& r : rows) {
    EXPECT_TRUE(stored.emplace(r.eventKey, r.seq).second) << "stored twice: " << r.eventKey;
    EXPECT_TRUE(sent.count(r.eventKey)) << "never sent: " << r.eventKey;
  }
  for (const auto& [key, seq] : acked) {
    auto it = stored.find(key);
    ASSERT_NE(it, stored.end()) << "acknowledged, then lost: " << key;
    EXPECT_EQ(it->second, seq) << key;
  }
  EXPECT_GT(acked.size(), 100u);
}

}  // namespace
}  // namespace server
}  // namespace kelisim
