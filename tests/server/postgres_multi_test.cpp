// Several writers on one PostgreSQL ledger (docs/ledger.md §4, issue 11 "several kelisim-server
// processes on one PostgreSQL must store each event exactly once"), and a PostgreSQL restart in
// the middle of a run ("nothing acknowledged is lost, nothing duplicated").
#include <gtest/gtest.h>

#include <httplib.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
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

#include "core/consent.h"
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
  const std::string& dir() const { return dir_; }
  bool ok = false;
  std::string url;

 private:
  std::string dir_;
};

// ---------------------------------------------------------------------------------------------
// Two kelisim-server processes on one database
// ---------------------------------------------------------------------------------------------

using json = nlohmann::ordered_json;

/** epoch ms as "2026-12-06T10:00:00.123Z". */
std::string isoOf(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000);
  struct tm t;
  gmtime_r(&secs, &t);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                t.tm_min, t.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

/** A v2 change event (docs/ledger.md §1) made by the core: a first accept-all of record `id`. */
json changeEvent(const std::string& id, int64_t now) {
  static const std::string bodyHash(64, 'b');
  Manifest m;
  m.policyId = "multi";
  m.version = "1";
  m.bodyHash = bodyHash;
  m.publishedAtMs = kT0 - 86400000;
  CategorySpec necessary, analytics;
  necessary.id = "necessary";
  necessary.required = true;
  analytics.id = "analytics";
  m.categories.push_back(necessary);
  m.categories.push_back(analytics);
  ApplyInput in;
  in.op = Op::AcceptAll;
  in.newId = id;
  ApplyResult r;
  Status st = apply(m, "", now, Signals{}, in, &r);
  EXPECT_TRUE(st.ok());
  const HistoryEntry& e = r.entry;
  json choices = json::object();
  for (const Choice& c : e.choices) choices[std::string(c.category.view())] = c.on;
  return {{"type", "kelisim:consent-event"}, {"v", 2}, {"id", std::string(e.hash.view())}, {"recordId", id},
          {"record", encodeRecord(r.record).str()},
          {"policy", {{"id", "multi"}, {"version", "1"}, {"bodyHash", bodyHash}}},
          {"controller", "Multi LLP"}, {"language", "ru"}, {"display", nullptr},
          {"event", {{"op", "accept-all"}, {"at", isoOf(e.atMs)}, {"atMs", e.atMs}, {"version", "1"},
                     {"method", "explicit"}, {"choices", choices}, {"prevHash", std::string(e.prevHash.view())}, {"hash", std::string(e.hash.view())}}}};
}

/** A kelisim-server child process; SIGTERM and wait on destruction. */
class ServerProcess {
 public:
  ServerProcess(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> argv;
      std::string exe = KELISIM_SERVER_EXE;
      argv.push_back(exe.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(exe.c_str(), argv.data());
      _exit(127);
    }
    close(out[1]);
    // The first stdout line: "kelisim-server: listening on http://127.0.0.1:PORT (…)".
    FILE* f = fdopen(out[0], "r");
    char line[512];
    if (f && std::fgets(line, sizeof line, f)) {
      std::string l = line;
      size_t at = l.find("127.0.0.1:");
      if (at != std::string::npos) port = std::atoi(l.c_str() + at + 10);
    }
    if (f) std::fclose(f);
  }
  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int port = 0;

 private:
  pid_t pid_ = -1;
};

// Two kelisim-server processes (as two machines behind a load balancer would run) on one
// PostgreSQL database receive the same events at the same time, in batches of 10, each in its
// own order: each event is stored once, seq runs 1..n, the chain verifies, both servers
// answered 202 for every batch and named the same seq for each event.
TEST(PostgresMulti, TwoServerProcessesStoreEachEventOnce) {
  testing_util::PgTestDb db;
  ASSERT_EQ(db.error, "");
  const std::string dir = std::string(KELISIM_BINARY_DIR) + "/multi-" + testing_util::randomHex(8);
  std::filesystem::create_directories(dir);
  const std::string key = dir + "/key";
  ASSERT_EQ(std::system((std::string(KELISIM_SERVER_EXE) + " keygen --key " + key + " >/dev/null").c_str()), 0);

  const int kEvents = 120;
  std::vector<json> events;
  for (int i = 0; i < kEvents; ++i) events.push_back(changeEvent("multi" + std::to_string(100000 + i), kT0 + i));
  {
    std::vector<std::unique_ptr<ServerProcess>> servers;
    for (int s = 0; s < 2; ++s) {
      servers.push_back(std::make_unique<ServerProcess>(std::vector<std::string>{
          "--listen", "127.0.0.1:0", "--db", db.uri(), "--key", key, "--rate-limit", "100000"}));
      ASSERT_GT(servers.back()->port, 0) << "server " << s << " did not say where it listens";
    }
    std::vector<std::map<std::string, int64_t>> told(2);  // event id -> seq
    std::vector<int> storedBy(2, 0);
    std::vector<std::string> errors(2);
    std::vector<std::thread> clients;
    for (int s = 0; s < 2; ++s) {
      clients.emplace_back([&, s] {
        std::vector<json> mine = events;
        std::shuffle(mine.begin(), mine.end(), std::mt19937(77 + s));
        httplib::Client http("127.0.0.1", servers[s]->port);
        http.set_read_timeout(10, 0);
        for (size_t at = 0; at < mine.size(); at += 10) {
          json batch = json::array();
          for (size_t i = at; i < at + 10 && i < mine.size(); ++i) batch.push_back(mine[i]);
          auto res = http.Post("/v1/events", batch.dump(), "application/json");
          if (!res || res->status != 202) {
            errors[s] = res ? std::to_string(res->status) + " " + res->body : "no answer";
            return;
          }
          json answer = json::parse(res->body, nullptr, false);
          storedBy[s] += answer.value("stored", 0);
          for (const json& r : answer["results"]) told[s][r["id"].get<std::string>()] = r["seq"].get<int64_t>();
        }
      });
    }
    for (auto& t : clients) t.join();
    ASSERT_EQ(errors[0], "");
    ASSERT_EQ(errors[1], "");
    EXPECT_EQ(storedBy[0] + storedBy[1], kEvents);
    ASSERT_EQ(told[0].size(), static_cast<size_t>(kEvents));
    EXPECT_EQ(told[0], told[1]) << "the servers named different seqs for one event";
  }
  std::unique_ptr<Store> check = openMigrated(db.uri());
  ASSERT_TRUE(check);
  std::vector<Row> rows = allRows(*check);
  ASSERT_EQ(rows.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(chainProblem(rows), "");
  std::set<std::string> keys;
  for (const Row& r : rows) keys.insert(r.eventKey);
  EXPECT_EQ(keys.size(), static_cast<size_t>(kEvents));
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL restarted in the middle of a run
// ---------------------------------------------------------------------------------------------

/** What the writers of the restart test were told, shared between their threads. */
struct Acks {
  std::mutex m;
  std::map<std::string, int64_t> seqOf;  // event_key -> the seq it was acknowledged with
  std::set<std::string> sent;            // every event_key sent at least once
  std::string error;                     // the first thing that went wrong
  std::atomic<int64_t> restartedAt{0};   // steady ms when the restart finished (0 = not yet)
  std::atomic<bool> stop{false};

  void sending(const std::vector<std::string>& keys) {
    std::lock_guard<std::mutex> lock(m);
    sent.insert(keys.begin(), keys.end());
  }
  void acked(const std::string& key, int64_t seq) {
    std::lock_guard<std::mutex> lock(m);
    auto it = seqOf.emplace(key, seq).first;
    if (it->second != seq && error.empty()) error = "two seqs acknowledged for one event";
  }
  void fail(const std::string& why) {
    std::lock_guard<std::mutex> lock(m);
    if (error.empty()) error = why;
  }
  bool afterRestart() const { return restartedAt && nowMs() > restartedAt; }
  static int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  }
};

/** Store writer w: batches of five events of its own and one every writer sends, each batch
 *  again until append() returns ok (as the outbox resends after a 503). Counts the
 *  `unavailable` failures and the acknowledged batches after the restart. */
void storeWriter(Store& store, int w, Acks& acks, int* unavailable, int* okAfterRestart) {
  for (int i = 0; !acks.stop; ++i) {
    std::vector<NewRow> batch;
    for (int j = 0; j < 5; ++j) batch.push_back(changeRow("rec-w" + std::to_string(w) + "-restart", std::to_string(i) + "-" + std::to_string(j)));
    batch.push_back(changeRow("rec-shared-restart", "s" + std::to_string(i)));
    std::vector<std::string> keys;
    for (const NewRow& r : batch) keys.push_back(r.eventKey);
    acks.sending(keys);
    for (;;) {
      std::vector<AppendResult> out;
      StoreError e = store.append(batch, kT0 + i, sealer(), &out);
      if (e.ok()) {
        for (size_t k = 0; k < batch.size(); ++k) acks.acked(keys[k], out[k].seq);
        if (acks.afterRestart()) ++*okAfterRestart;
        break;
      }
      if (!e.unavailable) return acks.fail("store writer " + std::to_string(w) + ": " + e.message);
      ++*unavailable;
      if (acks.stop) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

/** HTTP client c of a kelisim-server: batches of five core-made events, each again after a 503
 *  until the server answers 202 (what the outbox does). Any other answer is a failure. */
void httpWriter(int port, int c, Acks& acks, int* status503, int* okAfterRestart) {
  httplib::Client http("127.0.0.1", port);
  http.set_read_timeout(10, 0);
  for (int i = 0; !acks.stop; ++i) {
    json batch = json::array();
    std::vector<std::string> keys;
    for (int j = 0; j < 5; ++j) {
      std::string recordId = "restart" + std::to_string(c) + "n" + std::to_string(100000 + i * 5 + j);
      json e = changeEvent(recordId, kT0 + i);
      keys.push_back(ledger::eventKey(recordId, e["id"].get<std::string>()));
      batch.push_back(std::move(e));
    }
    acks.sending(keys);
    for (;;) {
      auto res = http.Post("/v1/events", batch.dump(), "application/json");
      if (res && res->status == 202) {
        json answer = json::parse(res->body, nullptr, false);
        const json& results = answer["results"];
        if (!results.is_array() || results.size() != keys.size()) return acks.fail("202 without results: " + res->body);
        for (size_t k = 0; k < keys.size(); ++k) acks.acked(keys[k], results[k]["seq"].get<int64_t>());
        if (acks.afterRestart()) ++*okAfterRestart;
        break;
      }
      if (!res || res->status != 503) {
        return acks.fail("client " + std::to_string(c) + ": " + (res ? std::to_string(res->status) + " " + res->body : "no answer"));
      }
      ++*status503;
      if (acks.stop) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// PostgreSQL is restarted (pg_ctl stop -m fast, then start) while three Store writers and two
// HTTP clients of a kelisim-server on the same database append. While it is away, appends
// fail with `unavailable` (the server answers 503) and the writers send the same batch again;
// afterwards every append that returned ok / 202 is in the database with the seq it was told,
// nothing is stored twice, seq has no gaps, the chain verifies, and every writer and client
// was acknowledged again after the restart.
TEST(PostgresMulti, RestartMidRunLosesAndDuplicatesNothing) {
  OwnPostgres pg;
  ASSERT_TRUE(pg.ok) << "scripts/pg-test.sh start failed";
  const int kWriters = 3, kClients = 2;
  std::vector<std::unique_ptr<Store>> stores(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    stores[w] = openMigrated(pg.url);
    ASSERT_TRUE(stores[w]);
  }
  const std::string key = pg.dir() + "/server.key";
  ASSERT_EQ(std::system((std::string(KELISIM_SERVER_EXE) + " keygen --key " + key + " >/dev/null").c_str()), 0);
  ServerProcess server({"--listen", "127.0.0.1:0", "--db", pg.url, "--key", key, "--rate-limit", "100000"});
  ASSERT_GT(server.port, 0) << "kelisim-server did not say where it listens";

  Acks acks;
  std::vector<int> unavailable(kWriters + kClients, 0), okAfterRestart(kWriters + kClients, 0);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] { storeWriter(*stores[w], w, acks, &unavailable[w], &okAfterRestart[w]); });
  }
  for (int c = 0; c < kClients; ++c) {
    int slot = kWriters + c;
    threads.emplace_back([&, c, slot] { httpWriter(server.port, c, acks, &unavailable[slot], &okAfterRestart[slot]); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  bool restarted = pg.script("restart");
  acks.restartedAt = Acks::nowMs();
  if (restarted) std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  acks.stop = true;
  for (auto& t : threads) t.join();
  ASSERT_TRUE(restarted) << "scripts/pg-test.sh restart failed";

  EXPECT_EQ(acks.error, "");
  for (size_t w = 0; w < okAfterRestart.size(); ++w) {
    EXPECT_GT(okAfterRestart[w], 0) << (w < kWriters ? "store writer " : "HTTP client ") << w << " was not acknowledged after the restart";
  }
  int unavailableTotal = 0;
  for (int n : unavailable) unavailableTotal += n;
  EXPECT_GT(unavailableTotal, 0) << "the restart did not reach the writers: the test proved nothing";
  EXPECT_GT(unavailable[kWriters] + unavailable[kWriters + 1], 0) << "the server never answered 503 during the restart";

  std::unique_ptr<Store> check = openMigrated(pg.url);
  ASSERT_TRUE(check);
  std::vector<Row> rows = allRows(*check);
  EXPECT_EQ(chainProblem(rows), "");
  std::map<std::string, int64_t> stored;
  for (const Row& r : rows) {
    EXPECT_TRUE(stored.emplace(r.eventKey, r.seq).second) << "stored twice: " << r.eventKey;
    EXPECT_TRUE(acks.sent.count(r.eventKey)) << "never sent: " << r.eventKey;
  }
  for (const auto& [k, seq] : acks.seqOf) {
    auto it = stored.find(k);
    ASSERT_NE(it, stored.end()) << "acknowledged, then lost: " << k;
    EXPECT_EQ(it->second, seq) << k;
  }
  EXPECT_GT(acks.seqOf.size(), 100u);
}

}  // namespace
}  // namespace server
}  // namespace kelisim
