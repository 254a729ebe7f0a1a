// The ledger's PostgreSQL store (store.h; docs/ledger.md §3–4): libpq's C API, prepared
// statements only (every value travels as a parameter of PQexecPrepared; the only SQL sent
// as text is constant: BEGIN/COMMIT/ROLLBACK and the embedded migrations).
//
// Connections: a small pool. libpq connections are not thread-safe, so each call leases one
// connection for its whole duration (the writer thread's append, the HTTP threads' reads)
// and gives it back. A connection that failed (server restarted, socket closed) is closed
// instead of returned, and so is every idle one (they talked to the same dead server); the
// next call opens a fresh one. The failed call reports `unavailable = true`.
//
// Several servers on one database: append() locks the single ledger_head row
// (SELECT … FOR UPDATE) in the transaction that inserts the rows, so appends of every process
// run one after the other and the chain has one order; migrate() holds a transaction-scoped
// advisory lock, so servers started at once run each migration once.
#include <libpq-fe.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "store/store.h"

namespace kelisim {
namespace server {
namespace {

// ---------------------------------------------------------------------------------------------
// Migrations (server/migrations/postgres/NNN_name.sql, embedded by embed_migrations.cmake)
// ---------------------------------------------------------------------------------------------

struct Migration {
  const char* engine;
  int number;
  const char* name;
  const char* sql;
};
const Migration kMigrations[] = {
#include "migrations.inc"
};

// pg_advisory_xact_lock key for migrate(): any constant the ledger's database uses for nothing
// else ("kelisim" in ASCII, as a 64-bit number).
const char kMigrationLockKey[] = "30227085740107117";

// ---------------------------------------------------------------------------------------------
// Prepared statements, prepared on every new connection
// ---------------------------------------------------------------------------------------------

#define KELISIM_ROW_COLUMNS                                                                      \
  "seq, server_at, event_key, kind, op, method, policy_id, policy_version, client_at, record_id, " \
  "body, personal, personal_hash, row_hash, erased_at"

struct Statement {
  const char* name;
  const char* sql;
  int params;
};
const Statement kStatements[] = {
    {"head_lock", "SELECT seq, hash FROM ledger_head WHERE id = 1 FOR UPDATE", 0},
    {"head", "SELECT seq, hash FROM ledger_head WHERE id = 1", 0},
    {"head_set", "UPDATE ledger_head SET seq = $1, hash = $2 WHERE id = 1", 2},
    {"insert",
     "INSERT INTO events (seq, server_at, event_key, kind, op, method, policy_id, policy_version, "
     "client_at, record_id, body, personal, personal_hash, row_hash) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) "
     "ON CONFLICT (event_key) DO NOTHING RETURNING seq",
     14},
    {"seq_of_key", "SELECT seq FROM events WHERE event_key = $1", 1},
    {"rows_of_record", "SELECT " KELISIM_ROW_COLUMNS " FROM events WHERE record_id = $1 ORDER BY seq", 1},
    {"rows_by_seq",
     "SELECT " KELISIM_ROW_COLUMNS " FROM events WHERE seq >= $1 AND ($2 = 0 OR seq < $2) "
     "ORDER BY seq LIMIT $3",
     3},
    {"rows_by_time",
     "SELECT " KELISIM_ROW_COLUMNS " FROM events WHERE server_at >= $1 AND server_at < $2 ORDER BY seq", 2},
    {"checkpoint_add", "INSERT INTO checkpoints (seq, head, at, public_key, signature) VALUES ($1, $2, $3, $4, $5)", 5},
    {"checkpoints", "SELECT seq, head, at, public_key, signature FROM checkpoints ORDER BY seq, at", 0},
    {"erase",
     "UPDATE events SET personal = NULL, record_id = NULL, erased_at = $2 WHERE record_id = $1", 2},
    // Retention: the rows still holding personal fields, older than $1. The CTE reads each
    // row's record id before the UPDATE sets it to NULL (RETURNING sees the new values).
    {"erase_before",
     "WITH old AS (SELECT seq, record_id FROM events "
     "WHERE server_at < $1 AND erased_at IS NULL AND (record_id IS NOT NULL OR personal IS NOT NULL) FOR UPDATE) "
     "UPDATE events e SET personal = NULL, record_id = NULL, erased_at = $2 FROM old "
     "WHERE e.seq = old.seq RETURNING old.record_id",
     2},
};
// Prepared by migrate() only, once schema_migrations exists, as the connection's unnamed
// statement right before each use (the next simple query drops it: nothing to deallocate).
const Statement kMigrationAdd = {"",
                                 "INSERT INTO schema_migrations (number, name, applied_at) "
                                 "VALUES ($1, $2, (extract(epoch FROM clock_timestamp()) * 1000)::bigint)",
                                 2};

// ---------------------------------------------------------------------------------------------
// One connection and the errors of its calls
// ---------------------------------------------------------------------------------------------

/** Owns a PGresult; clears it when it goes out of scope. */
struct Result {
  PGresult* r = nullptr;
  explicit Result(PGresult* res = nullptr) : r(res) {}
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result(Result&& o) noexcept : r(o.r) { o.r = nullptr; }
  Result& operator=(Result&& o) noexcept {
    std::swap(r, o.r);
    return *this;
  }
  ~Result() {
    if (r) PQclear(r);
  }
  int rows() const { return r ? PQntuples(r) : 0; }
  bool null(int row, int col) const { return PQgetisnull(r, row, col) != 0; }
  std::string text(int row, int col) const { return std::string(PQgetvalue(r, row, col), PQgetlength(r, row, col)); }
  int64_t integer(int row, int col) const { return null(row, col) ? 0 : std::strtoll(PQgetvalue(r, row, col), nullptr, 10); }
};

/** SQLSTATEs that mean "the database is not there right now" (PostgreSQL docs, Appendix A):
 *  class 08 connection exceptions, 57P01–57P03 (admin/crash shutdown, cannot connect now),
 *  53300 too many connections. */
bool unavailableState(const char* state) {
  if (!state) return false;
  return std::strncmp(state, "08", 2) == 0 || std::strcmp(state, "57P01") == 0 || std::strcmp(state, "57P02") == 0 ||
         std::strcmp(state, "57P03") == 0 || std::strcmp(state, "53300") == 0;
}

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class Conn {
 public:
  explicit Conn(PGconn* pg) : pg_(pg) {}
  ~Conn() { PQfinish(pg_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  /** True once a call on it failed for the connection's sake: the pool closes it. */
  bool broken() const { return broken_ || PQstatus(pg_) != CONNECTION_OK; }

  /** Runs constant SQL (no values). Returns ok, or the error with `unavailable` set when the
   *  connection or the server failed. */
  StoreError exec(const char* sql, Result* out = nullptr) {
    Result r(PQexec(pg_, sql));
    return check(std::move(r), sql, out);
  }

  /** Runs the prepared statement `name` with text parameters (nullptr = SQL NULL). */
  StoreError run(const char* name, const std::vector<const char*>& params, Result* out = nullptr) {
    Result r(PQexecPrepared(pg_, name, static_cast<int>(params.size()), params.data(), nullptr, nullptr, 0));
    return check(std::move(r), name, out);
  }

  /** Prepares one statement on this connection. */
  StoreError prepare(const Statement& s) {
    Result r(PQprepare(pg_, s.name, s.sql, s.params, nullptr));
    return check(std::move(r), s.name, nullptr);
  }

  /** Rolls back an open transaction after a failed statement (when the connection still
   *  works); a failure marks the connection broken. */
  void rollback() {
    if (broken()) return;
    Result r(PQexec(pg_, "ROLLBACK"));
    if (PQresultStatus(r.r) != PGRES_COMMAND_OK) broken_ = true;
  }

  bool prepared = false;

 private:
  StoreError check(Result r, const char* what, Result* out) {
    ExecStatusType st = r.r ? PQresultStatus(r.r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      if (out) *out = std::move(r);
      return {};
    }
    StoreError e;
    const char* state = r.r ? PQresultErrorField(r.r, PG_DIAG_SQLSTATE) : nullptr;
    std::string why = trimmed(r.r ? PQresultErrorMessage(r.r) : nullptr);
    if (why.empty()) why = trimmed(PQerrorMessage(pg_));
    e.message = std::string("postgres: ") + what + ": " + why;
    e.unavailable = PQstatus(pg_) != CONNECTION_OK || unavailableState(state);
    if (e.unavailable) broken_ = true;
    return e;
  }

  PGconn* pg_;
  bool broken_ = false;
};

// ---------------------------------------------------------------------------------------------
// The pool
// ---------------------------------------------------------------------------------------------

class Pool {
 public:
  explicit Pool(std::string uri, int max) : uri_(std::move(uri)), max_(max) {}

  /** Opens a new connection to the pool's URI. Returns nullptr and sets *err (unavailable)
   *  when the server cannot be reached. */
  std::unique_ptr<Conn> connect(StoreError* err) {
    PGconn* pg = PQconnectdb(uri_.c_str());
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
      err->message = "postgres: cannot connect: " + trimmed(pg ? PQerrorMessage(pg) : "out of memory");
      err->unavailable = true;
      if (pg) PQfinish(pg);
      return nullptr;
    }
    auto c = std::make_unique<Conn>(pg);
    // Quiet NOTICEs (CREATE TABLE IF NOT EXISTS …) instead of libpq's default print to stderr.
    PQsetNoticeProcessor(pg, [](void*, const char*) {}, nullptr);
    return c;
  }

  /** Leases a connection (waits while `max` are in use). Returns nullptr and sets *err when a
   *  new one cannot be opened. */
  std::unique_ptr<Conn> acquire(StoreError* err) {
    {
      std::unique_lock<std::mutex> lock(m_);
      cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
      ++open_;
    }
    auto c = connect(err);
    if (!c) {
      std::lock_guard<std::mutex> lock(m_);
      --open_;
      cv_.notify_one();
    }
    return c;
  }

  /** Gives a leased connection back; a broken one is closed, and so are the idle ones. */
  void release(std::unique_ptr<Conn> c) {
    std::vector<std::unique_ptr<Conn>> closing;
    {
      std::lock_guard<std::mutex> lock(m_);
      if (c->broken()) {
        closing.push_back(std::move(c));
        for (auto& i : idle_) closing.push_back(std::move(i));
        open_ -= static_cast<int>(closing.size());
        idle_.clear();
      } else {
        idle_.push_back(std::move(c));
      }
      cv_.notify_all();
    }
  }

 private:
  std::string uri_;
  int max_;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
  int open_ = 0;
};

/** A leased connection, given back when it goes out of scope. */
class Lease {
 public:
  Lease(Pool& pool, bool prepare) : pool_(pool) {
    c_ = pool.acquire(&err_);
    if (c_ && prepare && !c_->prepared) {
      for (const Statement& s : kStatements) {
        err_ = c_->prepare(s);
        if (!err_.ok()) break;
      }
      c_->prepared = err_.ok();
    }
  }
  ~Lease() {
    if (c_) pool_.release(std::move(c_));
  }
  /** ok when the connection is ready; otherwise why not. */
  const StoreError& error() const { return err_; }
  Conn* operator->() { return c_.get(); }

 private:
  Pool& pool_;
  std::unique_ptr<Conn> c_;
  StoreError err_;
};

std::string num(int64_t v) { return std::to_string(v); }

/** The text of a value, or nullptr (SQL NULL) for an empty one. */
const char* orNull(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

Row readRow(const Result& r, int i) {
  Row row;
  row.seq = r.integer(i, 0);
  row.serverAt = r.integer(i, 1);
  row.eventKey = r.text(i, 2);
  row.kind = r.text(i, 3);
  row.op = r.text(i, 4);
  row.method = r.text(i, 5);
  row.policyId = r.text(i, 6);
  row.policyVersion = r.text(i, 7);
  row.clientAt = r.integer(i, 8);
  if (!r.null(i, 9)) row.recordId = r.text(i, 9);
  row.body = r.text(i, 10);
  if (!r.null(i, 11)) row.personal = r.text(i, 11);
  row.personalHash = r.text(i, 12);
  row.rowHash = r.text(i, 13);
  if (!r.null(i, 14)) row.erasedAt = r.integer(i, 14);
  return row;
}

void readRows(const Result& r, std::vector<Row>* out) {
  out->clear();
  out->reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) out->push_back(readRow(r, i));
}

// ---------------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------------

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(const std::string& uri) : pool_(uri, 8) {}

  const char* engine() const override { return "postgres"; }

  /** Connects once, so that a wrong URI or an unreachable server is reported at start. */
  StoreError probe() {
    Lease c(pool_, false);
    return c.error();
  }

  StoreError migrate() override {
    Lease c(pool_, false);
    if (!c.error().ok()) return c.error();
    StoreError e = migrateOn(*c.operator->());
    if (!e.ok()) c->rollback();
    return e;
  }

  StoreError append(const std::vector<NewRow>& rows, int64_t serverAt, const Sealer& seal,
                    std::vector<AppendResult>* out) override {
    out->clear();
    if (rows.empty()) return {};
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::vector<AppendResult> results;
    StoreError e = appendOn(*c.operator->(), rows, serverAt, seal, &results);
    if (!e.ok()) {
      c->rollback();
      return e;
    }
    *out = std::move(results);
    return {};
  }

  StoreError head(Head* out) override {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    Result r;
    StoreError e = c->run("head", {}, &r);
    if (!e.ok()) return e;
    if (r.rows() != 1) return {"postgres: ledger_head has no row 1 (did the migrations run?)"};
    out->seq = r.integer(0, 0);
    out->hash = r.text(0, 1);
    return {};
  }

  StoreError rowsOfRecord(const std::string& recordId, std::vector<Row>* out) override {
    return query("rows_of_record", {recordId.c_str()}, out);
  }

  StoreError rowsBySeq(int64_t fromSeq, int64_t toSeq, int64_t limit, std::vector<Row>* out) override {
    std::string from = num(fromSeq), to = num(toSeq), lim = num(limit);
    // LIMIT NULL is no limit: a limit <= 0 reads to the end.
    return query("rows_by_seq", {from.c_str(), to.c_str(), limit > 0 ? lim.c_str() : nullptr}, out);
  }

  StoreError rowsByTime(int64_t fromMs, int64_t toMs, std::vector<Row>* out) override {
    std::string from = num(fromMs), to = num(toMs);
    return query("rows_by_time", {from.c_str(), to.c_str()}, out);
  }

  StoreError addCheckpoint(const Checkpoint& cp) override {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string seq = num(cp.seq), at = num(cp.at);
    return c->run("checkpoint_add", {seq.c_str(), cp.head.c_str(), at.c_str(), cp.publicKey.c_str(), cp.signature.c_str()});
  }

  StoreError checkpoints(std::vector<Checkpoint>* out) override {
    out->clear();
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    Result r;
    StoreError e = c->run("checkpoints", {}, &r);
    if (!e.ok()) return e;
    for (int i = 0; i < r.rows(); ++i) {
      out->push_back({r.integer(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3), r.text(i, 4)});
    }
    return {};
  }

  StoreError erase(const std::string& recordId, int64_t at, int64_t* n) override {
    *n = 0;
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string atText = num(at);
    Result r;
    StoreError e = c->run("erase", {recordId.c_str(), atText.c_str()}, &r);
    if (!e.ok()) return e;
    *n = std::strtoll(PQcmdTuples(r.r), nullptr, 10);
    return {};
  }

  StoreError eraseBefore(int64_t beforeMs, int64_t at, int64_t* n, std::vector<std::string>* records) override {
    *n = 0;
    records->clear();
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string before = num(beforeMs), atText = num(at);
    Result r;
    StoreError e = c->run("erase_before", {before.c_str(), atText.c_str()}, &r);
    if (!e.ok()) return e;
    *n = r.rows();
    std::set<std::string> ids;
    for (int i = 0; i < r.rows(); ++i) {
      if (!r.null(i, 0)) ids.insert(r.text(i, 0));
    }
    records->assign(ids.begin(), ids.end());
    return {};
  }

 private:
  StoreError query(const char* statement, const std::vector<const char*>& params, std::vector<Row>* out) {
    out->clear();
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    Result r;
    StoreError e = c->run(statement, params, &r);
    if (!e.ok()) return e;
    readRows(r, out);
    return {};
  }

  /** One transaction under the advisory lock: creates schema_migrations, runs every
   *  "postgres" migration not recorded there, in number order, and records it. A second
   *  server starting at the same time waits on the lock, then finds them recorded. */
  StoreError migrateOn(Conn& c) {
    StoreError e = c.exec("BEGIN");
    if (!e.ok()) return e;
    const std::string lockSql = std::string("SELECT pg_advisory_xact_lock(") + kMigrationLockKey + ")";
    if (!(e = c.exec(lockSql.c_str())).ok()) return e;
    e = c.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at BIGINT NOT NULL)");
    if (!e.ok()) return e;
    Result done;
    if (!(e = c.exec("SELECT number FROM schema_migrations", &done)).ok()) return e;
    std::set<int64_t> applied;
    for (int i = 0; i < done.rows(); ++i) applied.insert(done.integer(i, 0));
    std::vector<const Migration*> todo;
    for (const Migration& m : kMigrations) {
      if (std::strcmp(m.engine, "postgres") == 0 && !applied.count(m.number)) todo.push_back(&m);
    }
    std::sort(todo.begin(), todo.end(), [](const Migration* a, const Migration* b) { return a->number < b->number; });
    for (const Migration* m : todo) {
      e = c.exec(m->sql);
      if (!e.ok()) {
        e.message = std::string("migration ") + m->name + ": " + e.message;
        return e;
      }
      std::string number = num(m->number);
      if (!(e = c.prepare(kMigrationAdd)).ok() || !(e = c.run("", {number.c_str(), m->name})).ok()) return e;
    }
    return c.exec("COMMIT");
  }

  /** The body of append(), on one connection. Returns ok once COMMIT succeeded; on an error
   *  the caller rolls back.
   *
   *  When the connection is lost during COMMIT, its outcome is unknown: the rows may be
   *  committed or not. This returns `unavailable` either way, the HTTP layer answers 503 and
   *  acknowledges nothing, and the page (or the writer) sends the same events again: a row
   *  that was committed is then found by its event_key (ON CONFLICT DO NOTHING) and reported
   *  as a duplicate with its stored seq, so a retry never stores an event twice. */
  StoreError appendOn(Conn& c, const std::vector<NewRow>& rows, int64_t serverAt, const Sealer& seal,
                      std::vector<AppendResult>* out) {
    StoreError e = c.exec("BEGIN");
    if (!e.ok()) return e;
    Result head;
    if (!(e = c.run("head_lock", {}, &head)).ok()) return e;
    if (head.rows() != 1) return {"postgres: ledger_head has no row 1 (did the migrations run?)"};
    int64_t seq = head.integer(0, 0);
    std::string hash = head.text(0, 1);
    const std::string at = num(serverAt);
    std::unordered_map<std::string, int64_t> inBatch;  // event_key -> seq, rows of this batch
    for (const NewRow& row : rows) {
      auto seen = inBatch.find(row.eventKey);
      if (seen != inBatch.end()) {
        out->push_back({false, seen->second});
        continue;
      }
      const int64_t next = seq + 1;
      std::string rowHash = seal(hash, next, serverAt, row);
      std::string nextText = num(next), clientAt = num(row.clientAt);
      Result ins;
      e = c.run("insert",
                {nextText.c_str(), at.c_str(), row.eventKey.c_str(), row.kind.c_str(), row.op.c_str(),
                 row.method.c_str(), row.policyId.c_str(), row.policyVersion.c_str(), clientAt.c_str(),
                 orNull(row.recordId), row.body.c_str(), orNull(row.personal), row.personalHash.c_str(),
                 rowHash.c_str()},
                &ins);
      if (!e.ok()) return e;
      if (ins.rows() == 1) {
        seq = next;
        hash = std::move(rowHash);
        inBatch.emplace(row.eventKey, seq);
        out->push_back({true, seq});
        continue;
      }
      // Already stored (by an earlier batch, or by another server before we got the lock).
      Result old;
      if (!(e = c.run("seq_of_key", {row.eventKey.c_str()}, &old)).ok()) return e;
      if (old.rows() != 1) return {"postgres: event_key conflict but no stored row for " + row.eventKey};
      inBatch.emplace(row.eventKey, old.integer(0, 0));
      out->push_back({false, old.integer(0, 0)});
    }
    if (seq != head.integer(0, 0)) {
      std::string seqText = num(seq);
      if (!(e = c.run("head_set", {seqText.c_str(), hash.c_str()})).ok()) return e;
    }
    return c.exec("COMMIT");
  }

  Pool pool_;
};

}  // namespace

std::unique_ptr<Store> openPostgresStore(const std::string& uri, std::string* err) {
  auto store = std::make_unique<PostgresStore>(uri);
  StoreError e = store->probe();
  if (!e.ok()) {
    *err = e.message;
    return nullptr;
  }
  return store;
}

}  // namespace server
}  // namespace kelisim
