// The database side of the ledger benchmark (bench/ledger.mjs runs it; not a test):
//
//   kelisim_ledger_bench raw   DB SECONDS PER_COMMIT CLIENTS
//       plain INSERTs into the ledger's own events table (the same schema and indexes, made by
//       the store's migrations), PER_COMMIT rows per transaction, CLIENTS connections at once
//       (SQLite: 1; one writer). No head lock, no seal: the engine's durable insert ceiling.
//   kelisim_ledger_bench store DB SECONDS BATCH CLIENTS
//       Store::append() of BATCH new rows per call (seal included), CLIENTS stores at once
//       (PostgreSQL: as CLIENTS servers would; SQLite: 1).
//   kelisim_ledger_bench proof DB ROWS REPEAT
//       Fills DB (empty, or already filled by an earlier run) to ROWS rows with Store::append
//       (valid chain, batches of 1000), then times the Merkle paths a proof request reads
//       (ledger/merkle.h): one row's inclusion path in the tree of rows 1..ROWS and the
//       consistency path from ROWS/2 to ROWS, REPEAT times each, first from the rows alone (no
//       Merkle blocks: as before migration 003), then after storing the blocks of 1024 leaves
//       (storeMerkleBlocks, timed: what a ledger from before 003 pays once). Prints {"rows",
//       "fillSeconds", "rowsInclusionMs", "rowsConsistencyMs", "blocksFillSeconds",
//       "inclusionMs", "consistencyMs"} (medians). Not run by bench/ledger.mjs.
//
// DB is a --db value (sqlite:PATH or postgresql://…). Prints one JSON object:
// {"rows", "seconds", "rowsPerSecond", "commits", "p50Ms", "p99Ms"} (latency per commit).
// Durability as the server's: SQLite WAL + synchronous=FULL; PostgreSQL's default
// synchronous_commit=on.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/ledger.h"
#include "ledger/merkle.h"
#include "store/store.h"

using namespace kelisim;
using Clock = std::chrono::steady_clock;

namespace {

struct Tally {
  std::mutex m;
  std::vector<double> commitMs;
  int64_t rows = 0;
  std::string error;
  void add(const std::vector<double>& ms, int64_t n) {
    std::lock_guard<std::mutex> lock(m);
    commitMs.insert(commitMs.end(), ms.begin(), ms.end());
    rows += n;
  }
  void fail(const std::string& e) {
    std::lock_guard<std::mutex> lock(m);
    if (error.empty()) error = e;
  }
};

server::NewRow benchRow(int client, int64_t i) {
  std::string recordId = "bench" + std::to_string(client) + "x" + std::to_string(i / 4);
  std::string eventId = std::to_string(i) + "-" + std::to_string(client);
  server::NewRow r;
  r.eventKey = ledger::eventKey(recordId, eventId);
  r.kind = "change";
  r.op = "accept-all";
  r.method = "explicit";
  r.policyId = "bench";
  r.policyVersion = "1";
  r.clientAt = 1796551200000 + i;
  r.recordId = recordId;
  // About the size of a real change event's body and personal part (docs/ledger.md §3).
  r.body = "{\"type\":\"kelisim:consent-event\",\"id\":\"" + r.eventKey +
           "\",\"policy\":{\"id\":\"bench\",\"version\":\"1\",\"bodyHash\":\"" + std::string(64, 'a') +
           "\"},\"language\":\"ru\",\"event\":{\"op\":\"accept-all\",\"at\":\"2026-12-06T10:00:00.123Z\","
           "\"version\":\"1\",\"method\":\"explicit\",\"choices\":{\"necessary\":true,\"analytics\":true,"
           "\"marketing\":true},\"prevHash\":\"\",\"hash\":\"" + std::string(64, 'b') + "\"}}";
  r.personal = "{\"recordId\":\"" + recordId + "\",\"record\":\"k1~" + recordId + "~" + std::string(90, 'c') +
               "\",\"ip\":null,\"salt\":\"" + std::string(32, 'd') + "\"}";
  r.personalHash = ledger::personalHash(r.personal);
  return r;
}

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// ---------------------------------------------------------------------------------------------
// raw: plain INSERTs
// ---------------------------------------------------------------------------------------------

const char kInsertSql[] =
    "INSERT INTO events (seq, server_at, event_key, kind, op, method, policy_id, policy_version, client_at, "
    "record_id, body, personal, personal_hash, row_hash) VALUES ";

void rawSqlite(const std::string& path, double seconds, int perCommit, Tally* t) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return t->fail("sqlite open failed");
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  std::string sql = std::string(kInsertSql) + "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &ins, nullptr) != SQLITE_OK) return t->fail(sqlite3_errmsg(db));
  std::vector<double> ms;
  int64_t n = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    auto t0 = Clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int k = 0; k < perCommit; ++k, ++n) {
      server::NewRow r = benchRow(0, n);
      sqlite3_bind_int64(ins, 1, n + 1);
      sqlite3_bind_int64(ins, 2, 1796551200000 + n);
      const std::string* text[] = {&r.eventKey, &r.kind, &r.op, &r.method, &r.policyId, &r.policyVersion};
      for (int c = 0; c < 6; ++c) sqlite3_bind_text(ins, 3 + c, text[c]->data(), static_cast<int>(text[c]->size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins, 9, r.clientAt);
      sqlite3_bind_text(ins, 10, r.recordId.data(), static_cast<int>(r.recordId.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 11, r.body.data(), static_cast<int>(r.body.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 12, r.personal.data(), static_cast<int>(r.personal.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 13, r.personalHash.data(), static_cast<int>(r.personalHash.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 14, r.personalHash.data(), static_cast<int>(r.personalHash.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(ins) != SQLITE_DONE) return t->fail(sqlite3_errmsg(db));
      sqlite3_reset(ins);
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return t->fail(sqlite3_errmsg(db));
    ms.push_back(msSince(t0));
  }
  sqlite3_finalize(ins);
  sqlite3_close(db);
  t->add(ms, n);
}

void rawPostgres(const std::string& uri, double seconds, int perCommit, int client, std::atomic<int64_t>* seq, Tally* t) {
  PGconn* c = PQconnectdb(uri.c_str());
  if (PQstatus(c) != CONNECTION_OK) return t->fail(PQerrorMessage(c));
  std::string sql = std::string(kInsertSql) + "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
  PQclear(PQprepare(c, "ins", sql.c_str(), 14, nullptr));
  std::vector<double> ms;
  int64_t n = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end && t->error.empty()) {
    auto t0 = Clock::now();
    PQclear(PQexec(c, "BEGIN"));
    for (int k = 0; k < perCommit; ++k, ++n) {
      server::NewRow r = benchRow(client, n);
      std::string s = std::to_string(++*seq), at = std::to_string(1796551200000 + n), ca = std::to_string(r.clientAt);
      const char* p[] = {s.c_str(), at.c_str(), r.eventKey.c_str(), r.kind.c_str(), r.op.c_str(), r.method.c_str(),
                         r.policyId.c_str(), r.policyVersion.c_str(), ca.c_str(), r.recordId.c_str(), r.body.c_str(),
                         r.personal.c_str(), r.personalHash.c_str(), r.personalHash.c_str()};
      PGresult* res = PQexecPrepared(c, "ins", 14, p, nullptr, nullptr, 0);
      if (PQresultStatus(res) != PGRES_COMMAND_OK) t->fail(PQresultErrorMessage(res));
      PQclear(res);
    }
    PGresult* res = PQexec(c, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) t->fail(PQresultErrorMessage(res));
    PQclear(res);
    ms.push_back(msSince(t0));
  }
  PQfinish(c);
  t->add(ms, n);
}

// ---------------------------------------------------------------------------------------------
// store: Store::append
// ---------------------------------------------------------------------------------------------

void storeAppend(server::Store* s, double seconds, int batch, int client, Tally* t) {
  server::Sealer seal = [](const std::string& prev, int64_t seq, int64_t at, const server::NewRow& r) {
    return ledger::rowHash(prev, seq, at, r.eventKey, r.personalHash, r.body);
  };
  std::vector<double> ms;
  int64_t n = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    std::vector<server::NewRow> rows;
    for (int k = 0; k < batch; ++k) rows.push_back(benchRow(client, n + k));
    auto t0 = Clock::now();
    std::vector<server::AppendResult> out;
    server::StoreError e = s->append(rows, 1796551200000 + n, seal, &out);
    if (!e.ok()) return t->fail(e.message);
    ms.push_back(msSince(t0));
    n += batch;
  }
  t->add(ms, n);
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// ---------------------------------------------------------------------------------------------
// proof: the cost of one proof's Merkle paths
// ---------------------------------------------------------------------------------------------

int proofBench(server::Store& s, int64_t rows, int repeat) {
  server::Sealer seal = [](const std::string& prev, int64_t seq, int64_t at, const server::NewRow& r) {
    return ledger::rowHash(prev, seq, at, r.eventKey, r.personalHash, r.body);
  };
  server::Head h;
  server::StoreError e = s.head(&h);
  auto t0 = Clock::now();
  for (int64_t n = h.seq; e.ok() && n < rows;) {
    std::vector<server::NewRow> batch;
    for (; n < rows && batch.size() < 1000; ++n) batch.push_back(benchRow(0, n));
    std::vector<server::AppendResult> out;
    e = s.append(batch, 1796551200000 + n, seal, &out);
  }
  if (e.ok()) e = s.head(&h);
  if (!e.ok() || h.seq != rows) return std::fprintf(stderr, "fill: %s (head %lld)\n", e.message.c_str(), (long long)h.seq), 1;
  double fill = msSince(t0) / 1000.0;
  // A row a third of the way in: its path reads from there to the end without blocks.
  int64_t seq = rows / 3 + 1;
  auto time = [&](int64_t blockLeaves, double* incMs, double* conMs) {
    std::vector<double> inc, con;
    for (int i = 0; i < repeat && e.ok(); ++i) {
      std::map<int64_t, std::vector<std::string>> paths;
      auto t = Clock::now();
      e = server::inclusionPaths(s, {seq}, rows, &paths, 2000, blockLeaves);
      inc.push_back(msSince(t));
      std::vector<std::string> path;
      t = Clock::now();
      if (e.ok()) e = server::consistencyPath(s, rows / 2, rows, &path, 2000, blockLeaves);
      con.push_back(msSince(t));
    }
    *incMs = percentile(inc, 50);
    *conMs = percentile(con, 50);
  };
  double rowsInc = 0, rowsCon = 0, inc = 0, con = 0;
  time(0, &rowsInc, &rowsCon);
  t0 = Clock::now();
  if (e.ok()) e = server::storeMerkleBlocks(s, rows, server::kMerkleBlockLeaves);
  double blocksFill = msSince(t0) / 1000.0;
  if (e.ok()) time(server::kMerkleBlockLeaves, &inc, &con);
  if (!e.ok()) return std::fprintf(stderr, "paths: %s\n", e.message.c_str()), 1;
  std::printf("{\"rows\":%lld,\"fillSeconds\":%.1f,\"rowsInclusionMs\":%.2f,\"rowsConsistencyMs\":%.2f,"
              "\"blocksFillSeconds\":%.2f,\"inclusionMs\":%.2f,\"consistencyMs\":%.2f}\n",
              (long long)rows, fill, rowsInc, rowsCon, blocksFill, inc, con);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "proof") {
    std::string err;
    auto s = server::openStore(argv[2], &err);
    if (!s) return std::fprintf(stderr, "open %s: %s\n", argv[2], err.c_str()), 1;
    server::StoreError e = s->migrate();
    if (!e.ok()) return std::fprintf(stderr, "migrate: %s\n", e.message.c_str()), 1;
    return proofBench(*s, std::atoll(argv[3]), std::max(1, std::atoi(argv[4])));
  }
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s raw|store DB SECONDS PER_COMMIT CLIENTS | proof DB ROWS REPEAT\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1], db = argv[2];
  const double seconds = std::atof(argv[3]);
  const int perCommit = std::max(1, std::atoi(argv[4]));
  int clients = std::max(1, std::atoi(argv[5]));
  const bool sqlite = db.rfind("sqlite:", 0) == 0;
  if (sqlite) clients = 1;

  std::vector<std::unique_ptr<server::Store>> stores;
  for (int i = 0; i < (mode == "store" ? clients : 1); ++i) {
    std::string err;
    auto s = server::openStore(db, &err);
    if (!s) return std::fprintf(stderr, "open %s: %s\n", db.c_str(), err.c_str()), 1;
    server::StoreError e = s->migrate();
    if (!e.ok()) return std::fprintf(stderr, "migrate: %s\n", e.message.c_str()), 1;
    stores.push_back(std::move(s));
  }
  server::Head head;
  stores[0]->head(&head);

  Tally t;
  std::atomic<int64_t> seq{head.seq};
  std::vector<std::thread> threads;
  auto t0 = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      if (mode == "store") storeAppend(stores[c].get(), seconds, perCommit, c, &t);
      else if (sqlite) rawSqlite(db.substr(7), seconds, perCommit, &t);
      else rawPostgres(db, seconds, perCommit, c, &seq, &t);
    });
  }
  for (auto& th : threads) th.join();
  double elapsed = msSince(t0) / 1000.0;
  if (!t.error.empty()) return std::fprintf(stderr, "bench: %s\n", t.error.c_str()), 1;
  std::printf("{\"rows\":%lld,\"seconds\":%.3f,\"rowsPerSecond\":%.0f,\"commits\":%zu,\"p50Ms\":%.2f,\"p99Ms\":%.2f}\n",
              static_cast<long long>(t.rows), elapsed, t.rows / elapsed, t.commitMs.size(), percentile(t.commitMs, 50),
              percentile(t.commitMs, 99));
  return 0;
}
