// The ledger's PostgreSQL store (store.h; docs/ledger.md §3–4): libpq's C API, prepared
// statements only (every value travels as a parameter of PQexecPrepared / PQsendQueryPrepared;
// the SQL sent as text is constant and carries no value: BEGIN/COMMIT/ROLLBACK, migrate()'s
// bookkeeping and the embedded migrations).
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

#include "store/migrations.h"
#include "store/store.h"

namespace kelisim {
namespace server {
namespace {

// ---------------------------------------------------------------------------------------------
// Migrations (server/migrations/postgres/NNN_name.sql, embedded by embed_migrations.cmake)
// ---------------------------------------------------------------------------------------------


// pg_advisory_xact_lock key for migrate(): any constant the ledger's database uses for nothing
// else ("kelisim" in ASCII, as a 64-bit number).
const char kMigrationLockKey[] = "30229338808084845";

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
     "SELECT " KELISIM_ROW_COLUMNS " FROM events WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3",
     3},
    {"rows_by_time",
     "SELECT " KELISIM_ROW_COLUMNS " FROM events WHERE server_at >= $1 AND server_at < $2 ORDER BY seq", 2},
    {"seq_range_by_time",
     "SELECT coalesce(MIN(seq), 0), coalesce(MAX(seq), 0) FROM events WHERE server_at >= $1 AND server_at < $2", 2},
    {"checkpoint_add",
     "INSERT INTO checkpoints (seq, head, at, public_key, signature, prev_key, prev_signature, root, frontier) "
     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
     9},
    {"checkpoints_in_range",
     "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints WHERE seq >= $1 AND ($2 = 0 OR seq <= $2) "
     "ORDER BY seq, at",
     2},
    {"checkpoint_latest",
     "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints ORDER BY seq DESC, at DESC LIMIT 1", 0},
    {"key_rotations",
     "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints WHERE prev_key IS NOT NULL ORDER BY seq, at", 0},
    {"merkle_block_add",
     "INSERT INTO merkle_blocks (leaves, block, hash) VALUES ($1, $2, $3) ON CONFLICT (leaves, block) DO NOTHING", 3},
    {"merkle_blocks",
     "SELECT leaves, block, hash FROM merkle_blocks WHERE leaves = $1 AND block >= $2 AND block < $3 "
     "ORDER BY leaves, block",
     3},
    {"merkle_blocks_all",
     "SELECT leaves, block, hash FROM merkle_blocks WHERE block >= $1 AND block < $2 ORDER BY leaves, block", 2},
    {"merkle_block_last", "SELECT coalesce(MAX(block), -1) FROM merkle_blocks WHERE leaves = $1", 1},
    {"erase",
     "UPDATE events SET personal = NULL, record_id = NULL, erased_at = $2 WHERE record_id = $1", 2},
    // Retention: every row older than $1 not yet erased (store.h). The CTE reads each row's
    // record id before the UPDATE sets it to NULL (RETURNING sees the new values).
    {"erase_before",
     "WITH old AS (SELECT seq, record_id FROM events WHERE server_at < $1 AND erased_at IS NULL FOR UPDATE) "
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

/** One statement of a pipeline: a prepared statement and its text parameters (nullptr = SQL
 *  NULL), or constant SQL without parameters (name nullptr). */
struct Call {
  const char* name;
  const char* sql;
  std::vector<const char*> params;
};

// Statements per pipeline round trip: the client writes them all before it reads a result, so
// a bound keeps what it writes (and what the server answers) within the sockets' buffers.
constexpr size_t kPipelineChunk = 200;

class Conn {
 public:
  explicit Conn(PGconn* pg) : pg_(pg) {}
  ~Conn() { PQfinish(pg_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  /** Marks it for closing when it goes back to the pool. */
  void discard() { broken_ = true; }

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

  /** Runs `calls` in order in libpq's pipeline mode: sends a chunk of them, one Sync, reads
   *  their results; one round trip per kPipelineChunk calls. Inside a transaction (a "BEGIN"
   *  call) the Syncs do not commit. Returns ok and one Result per call in *out, or the first
   *  error (the calls after it did not run). The connection is out of pipeline mode after, or
   *  marked broken. */
  StoreError pipeline(const std::vector<Call>& calls, std::vector<Result>* out) {
    out->clear();
    for (size_t from = 0; from < calls.size(); from += kPipelineChunk) {
      StoreError e = pipelineChunk(calls, from, std::min(calls.size(), from + kPipelineChunk), out);
      if (!e.ok()) return e;
    }
    return {};
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
  StoreError lost(const char* what) {
    broken_ = true;
    StoreError e;
    e.message = std::string("postgres: ") + what + ": " + trimmed(PQerrorMessage(pg_));
    e.unavailable = PQstatus(pg_) != CONNECTION_OK;
    return e;
  }

  StoreError pipelineChunk(const std::vector<Call>& calls, size_t from, size_t to, std::vector<Result>* out) {
    if (PQenterPipelineMode(pg_) != 1) return lost("pipeline");
    for (size_t i = from; i < to; ++i) {
      const Call& c = calls[i];
      int sent = c.name ? PQsendQueryPrepared(pg_, c.name, static_cast<int>(c.params.size()), c.params.data(), nullptr,
                                              nullptr, 0)
                        : PQsendQueryParams(pg_, c.sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
      if (!sent) return lost(c.name ? c.name : c.sql);
    }
    if (PQpipelineSync(pg_) != 1) return lost("pipeline sync");
    StoreError first;
    for (size_t i = from; i < to; ++i) {
      const char* what = calls[i].name ? calls[i].name : calls[i].sql;
      Result r(PQgetResult(pg_));
      if (!r.r) return lost(what);
      Result end(PQgetResult(pg_));  // NULL: the end of this statement's results
      if (end.r) return lost(what);
      ExecStatusType st = PQresultStatus(r.r);
      if (st == PGRES_PIPELINE_ABORTED) continue;  // after the first error
      if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        if (first.ok()) first = check(std::move(r), what, nullptr);
        continue;
      }
      out->push_back(std::move(r));
    }
    Result sync(PQgetResult(pg_));
    if (!sync.r || PQresultStatus(sync.r) != PGRES_PIPELINE_SYNC) return lost("pipeline sync");
    if (PQexitPipelineMode(pg_) != 1) return lost("pipeline end");
    return first;
  }

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
    // connect_timeout: an unreachable host fails the call (unavailable) after 5 s instead of
    // blocking the writer for the OS's TCP timeout; a connect_timeout in the URI wins (with
    // expand_dbname, the URI's parameters override the keywords before it: libpq docs,
    // PQconnectdbParams).
    const char* keys[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"5", uri_.c_str(), nullptr};
    PGconn* pg = PQconnectdbParams(keys, values, 1);
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
      // Half-prepared (e.g. no tables yet: migrate() did not run): closed on release, so that
      // the next call prepares everything on a fresh connection.
      if (err_.ok()) c_->prepared = true;
      else c_->discard();
    }
  }
  ~Lease() {
    if (c_) pool_.release(std::move(c_));
  }
  /** ok when the connection is ready; otherwise why not. */
  const StoreError& error() const { return err_; }
  Conn* operator->() { return c_.get(); }
  Conn& conn() { return *c_; }

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
    StoreError e = migrateOn(c.conn());
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
    StoreError e = appendOn(c.conn(), rows, serverAt, seal, &results);
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
    // Both bounds on seq itself (toSeq 0: INT64_MAX), so that the index scan stops at toSeq
    // (sqlite_store.cpp says why).
    std::string from = num(fromSeq), to = num(toSeq == 0 ? INT64_MAX : toSeq), lim = num(limit);
    // LIMIT NULL is no limit: a limit <= 0 reads to the end.
    return query("rows_by_seq", {from.c_str(), to.c_str(), limit > 0 ? lim.c_str() : nullptr}, out);
  }

  StoreError rowsByTime(int64_t fromMs, int64_t toMs, std::vector<Row>* out) override {
    std::string from = num(fromMs), to = num(toMs);
    return query("rows_by_time", {from.c_str(), to.c_str()}, out);
  }

  StoreError seqRangeByTime(int64_t fromMs, int64_t toMs, int64_t* firstSeq, int64_t* lastSeq) override {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string from = num(fromMs), to = num(toMs);
    Result r;
    StoreError e = c->run("seq_range_by_time", {from.c_str(), to.c_str()}, &r);
    if (!e.ok()) return e;
    *firstSeq = r.rows() == 1 ? r.integer(0, 0) : 0;
    *lastSeq = r.rows() == 1 ? r.integer(0, 1) : 0;
    return {};
  }

  StoreError addCheckpoint(const Checkpoint& cp) override {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string seq = num(cp.seq), at = num(cp.at);
    const char* prevKey = cp.isRotation() ? cp.prevKey.c_str() : nullptr;  // NULL on ordinary checkpoints
    const char* prevSig = cp.isRotation() ? cp.prevSignature.c_str() : nullptr;
    const char* root = cp.root.empty() ? nullptr : cp.root.c_str();
    const char* frontier = cp.frontier.empty() ? nullptr : cp.frontier.c_str();
    return c->run("checkpoint_add", {seq.c_str(), cp.head.c_str(), at.c_str(), cp.publicKey.c_str(),
                                     cp.signature.c_str(), prevKey, prevSig, root, frontier});
  }

  StoreError checkpointsInRange(int64_t fromSeq, int64_t toSeq, std::vector<Checkpoint>* out) override {
    out->clear();
    std::string a = num(fromSeq), b = num(toSeq);
    return readCheckpoints("checkpoints_in_range", {a.c_str(), b.c_str()}, out);
  }

  StoreError latestCheckpoint(Checkpoint* out, bool* found) override {
    std::vector<Checkpoint> one;
    StoreError e = readCheckpoints("checkpoint_latest", {}, &one);
    *found = e.ok() && !one.empty();
    if (*found) *out = std::move(one.front());
    return e;
  }

  StoreError keyRotations(std::vector<Checkpoint>* out) override {
    out->clear();
    return readCheckpoints("key_rotations", {}, out);
  }

  StoreError addMerkleBlocks(const std::vector<MerkleBlock>& blocks) override {
    if (blocks.empty()) return {};
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::vector<std::string> text;  // the parameters' storage: stable while the calls run
    text.reserve(blocks.size() * 2);
    std::vector<Call> calls = {{nullptr, "BEGIN", {}}};
    for (const MerkleBlock& b : blocks) {
      text.push_back(num(b.leaves));
      text.push_back(num(b.block));
      calls.push_back({"merkle_block_add", nullptr, {text[text.size() - 2].c_str(), text.back().c_str(), b.hash.c_str()}});
    }
    calls.push_back({nullptr, "COMMIT", {}});
    std::vector<Result> res;
    StoreError e = c->pipeline(calls, &res);
    if (!e.ok()) c->rollback();
    return e;
  }

  StoreError merkleBlocks(int64_t leaves, int64_t fromBlock, int64_t toBlock, std::vector<MerkleBlock>* out) override {
    out->clear();
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    // One size: an index range on (leaves, block) that stops at toBlock (0: INT64_MAX), as
    // rowsBySeq bounds seq; all sizes (leaves 0, verify): the whole table in order.
    std::string l = num(leaves), a = num(fromBlock), b = num(toBlock == 0 ? INT64_MAX : toBlock);
    Result r;
    StoreError e = leaves == 0 ? c->run("merkle_blocks_all", {a.c_str(), b.c_str()}, &r)
                               : c->run("merkle_blocks", {l.c_str(), a.c_str(), b.c_str()}, &r);
    if (!e.ok()) return e;
    for (int i = 0; i < r.rows(); ++i) out->push_back({r.integer(i, 0), r.integer(i, 1), r.text(i, 2)});
    return {};
  }

  StoreError lastMerkleBlock(int64_t leaves, int64_t* block) override {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    std::string l = num(leaves);
    Result r;
    StoreError e = c->run("merkle_block_last", {l.c_str()}, &r);
    if (!e.ok()) return e;
    *block = r.rows() == 1 ? r.integer(0, 0) : -1;
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
  /** Runs a checkpoints statement and appends its rows to *out. */
  StoreError readCheckpoints(const char* statement, const std::vector<const char*>& params,
                             std::vector<Checkpoint>* out) {
    Lease c(pool_, true);
    if (!c.error().ok()) return c.error();
    Result r;
    StoreError e = c->run(statement, params, &r);
    if (!e.ok()) return e;
    for (int i = 0; i < r.rows(); ++i)
      out->push_back({r.integer(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5),
                      r.text(i, 6), r.text(i, 7), r.text(i, 8)});
    return {};
  }

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
    for (const Migration* m : migrationsFor("postgres")) {
      if (applied.count(m->number)) continue;
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

  /** The body of append(), on one connection, in three round trips whatever the batch size
   *  (libpq pipeline mode):
   *   1. BEGIN; SELECT … FROM ledger_head … FOR UPDATE; the stored seq of each event_key of
   *      the batch (SELECT seq FROM events WHERE event_key = $1, one per distinct key);
   *   2. the new rows, in chain order, each `INSERT … ON CONFLICT (event_key) DO NOTHING
   *      RETURNING seq` with the seq and row_hash (the Sealer) that follow the previous row; the
   *      new head;
   *   3. COMMIT.
   *  Holding the head row's lock, no other writer can insert in between, so the keys found in
   *  step 1 are exactly the duplicates; an INSERT that still returns no row (a writer that did
   *  not take the lock) fails the append rather than leave a gap in seq.
   *  Returns ok once COMMIT succeeded; on an error the caller rolls back.
   *
   *  When the connection is lost during COMMIT, its outcome is unknown: the rows may be
   *  committed or not. This returns `unavailable` either way, the HTTP layer answers 503 and
   *  acknowledges nothing, and the page (or the writer) sends the same events again: a row
   *  that was committed is then found by its event_key (step 1) and reported as a duplicate
   *  with its stored seq, so a retry never stores an event twice. */
  StoreError appendOn(Conn& c, const std::vector<NewRow>& rows, int64_t serverAt, const Sealer& seal,
                      std::vector<AppendResult>* out) {
    // 1. Lock the head, find the keys already stored.
    std::vector<const std::string*> keys;                  // distinct, in input order
    std::unordered_map<std::string, int64_t> seqOfKey;     // event_key -> seq (0 = new)
    for (const NewRow& row : rows) {
      if (seqOfKey.emplace(row.eventKey, 0).second) keys.push_back(&row.eventKey);
    }
    std::vector<Call> calls = {{nullptr, "BEGIN", {}}, {"head_lock", nullptr, {}}};
    for (const std::string* k : keys) calls.push_back({"seq_of_key", nullptr, {k->c_str()}});
    std::vector<Result> res;
    StoreError e = c.pipeline(calls, &res);
    if (!e.ok()) return e;
    if (res[1].rows() != 1) return {"postgres: ledger_head has no row 1 (did the migrations run?)"};
    const int64_t headSeq = res[1].integer(0, 0);
    int64_t seq = headSeq;
    std::string hash = res[1].text(0, 1);
    for (size_t i = 0; i < keys.size(); ++i) {
      if (res[2 + i].rows() == 1) seqOfKey[*keys[i]] = res[2 + i].integer(0, 0);
    }

    // 2. Seal and insert the new rows in chain order.
    struct Pending {
      const NewRow* row;
      std::string seq, clientAt, rowHash;
    };
    std::vector<Pending> pending;
    pending.reserve(rows.size());
    for (const NewRow& row : rows) {
      int64_t& known = seqOfKey[row.eventKey];
      if (known != 0) {
        out->push_back({false, known});
        continue;
      }
      known = ++seq;
      hash = seal(hash, seq, serverAt, row);
      pending.push_back({&row, num(seq), num(row.clientAt), hash});
      out->push_back({true, seq});
    }
    if (pending.empty()) return c.exec("COMMIT");
    const std::string at = num(serverAt), headText = num(seq);
    calls.clear();
    for (const Pending& p : pending) {
      const NewRow& r = *p.row;
      calls.push_back({"insert", nullptr,
                       {p.seq.c_str(), at.c_str(), r.eventKey.c_str(), r.kind.c_str(), r.op.c_str(), r.method.c_str(),
                        r.policyId.c_str(), r.policyVersion.c_str(), p.clientAt.c_str(), orNull(r.recordId),
                        r.body.c_str(), orNull(r.personal), r.personalHash.c_str(), p.rowHash.c_str()}});
    }
    calls.push_back({"head_set", nullptr, {headText.c_str(), hash.c_str()}});
    if (!(e = c.pipeline(calls, &res)).ok()) return e;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (res[i].rows() != 1) {
        return {"postgres: event_key " + pending[i].row->eventKey +
                " was stored while this append held the ledger_head lock (a writer that does not take it?)"};
      }
    }
    // 3.
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
