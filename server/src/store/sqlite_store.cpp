// The SQLite store (store.h): one file in WAL mode with synchronous=FULL (a commit is on disk
// when append() returns), a busy timeout, the embedded migrations, prepared statements only.
// Two connections: the writer's (append, erase, checkpoints, migrations) and one for reads,
// each behind its own mutex; WAL lets reads run while the writer commits.
#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/ledger.h"
#include "store/migrations.h"
#include "store/store.h"

namespace kelisim {
namespace server {

namespace {


// Errors that mean "the database cannot be used right now" (503, retry) rather than a bug.
bool unavailableCode(int rc) {
  int p = rc & 0xff;
  return p == SQLITE_BUSY || p == SQLITE_LOCKED || p == SQLITE_IOERR || p == SQLITE_FULL ||
         p == SQLITE_CANTOPEN || p == SQLITE_READONLY || p == SQLITE_PROTOCOL;
}

/** A connection with its statement cache. */
class Conn {
 public:
  ~Conn() {
    for (auto& kv : stmts_) sqlite3_finalize(kv.second);
    if (db_) sqlite3_close(db_);
  }
  StoreError open(const std::string& path, bool readOnly) {
    int flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) return error("open " + path, rc);
    sqlite3_busy_timeout(db_, 5000);
    return {};
  }
  StoreError exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
      std::string m = msg ? msg : sqlite3_errstr(rc);
      sqlite3_free(msg);
      StoreError e;
      e.message = std::string("sqlite: ") + m;
      e.unavailable = unavailableCode(rc);
      return e;
    }
    return {};
  }
  /** The cached prepared statement for sql, reset and unbound; nullptr on error (*e set). */
  sqlite3_stmt* stmt(const char* sql, StoreError* e) {
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) {
      *e = error("prepare", rc);
      return nullptr;
    }
    stmts_[sql] = s;
    return s;
  }
  StoreError error(const std::string& what, int rc) {
    StoreError e;
    e.message = "sqlite " + what + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    e.unavailable = unavailableCode(rc);
    return e;
  }
  sqlite3* db() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> stmts_;
};

void bindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
}
std::string colText(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), size_t(sqlite3_column_bytes(s, i))) : std::string();
}

const char* kRowColumns =
    "seq, server_at, event_key, kind, op, method, policy_id, policy_version, client_at, record_id, body, "
    "personal, personal_hash, row_hash, erased_at";

Row readRow(sqlite3_stmt* s) {
  Row r;
  r.seq = sqlite3_column_int64(s, 0);
  r.serverAt = sqlite3_column_int64(s, 1);
  r.eventKey = colText(s, 2);
  r.kind = colText(s, 3);
  r.op = colText(s, 4);
  r.method = colText(s, 5);
  r.policyId = colText(s, 6);
  r.policyVersion = colText(s, 7);
  r.clientAt = sqlite3_column_int64(s, 8);
  if (sqlite3_column_type(s, 9) != SQLITE_NULL) r.recordId = colText(s, 9);
  r.body = colText(s, 10);
  if (sqlite3_column_type(s, 11) != SQLITE_NULL) r.personal = colText(s, 11);
  r.personalHash = colText(s, 12);
  r.rowHash = colText(s, 13);
  if (sqlite3_column_type(s, 14) != SQLITE_NULL) r.erasedAt = sqlite3_column_int64(s, 14);
  return r;
}

class SqliteStore : public Store {
 public:
  explicit SqliteStore(std::string path) : path_(std::move(path)) {}

  StoreError open() {
    StoreError e = w_.open(path_, false);
    if (!e.ok()) return e;
    // WAL: readers do not block the writer; FULL: the WAL is fsynced at every commit.
    if (!(e = w_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")).ok()) return e;
    return {};
  }

  const char* engine() const override { return "sqlite"; }

  StoreError migrate() override {
    std::lock_guard<std::mutex> lock(wmu_);
    StoreError e = w_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER) * 1000))");
    if (!e.ok()) return e;
    for (const Migration* mp : migrationsFor("sqlite")) {
      const Migration& m = *mp;
      if (!(e = w_.exec("BEGIN IMMEDIATE")).ok()) return e;
      sqlite3_stmt* s = w_.stmt("SELECT 1 FROM schema_migrations WHERE number = ?", &e);
      if (!s) return rollback(e);
      sqlite3_bind_int(s, 1, m.number);
      int rc = sqlite3_step(s);
      sqlite3_reset(s);
      if (rc == SQLITE_ROW) {
        if (!(e = w_.exec("COMMIT")).ok()) return rollback(e);
        continue;
      }
      if (rc != SQLITE_DONE) return rollback(w_.error("schema_migrations", rc));
      if (!(e = w_.exec(m.sql)).ok()) {
        e.message = std::string("migration ") + m.name + ": " + e.message;
        return rollback(e);
      }
      s = w_.stmt("INSERT INTO schema_migrations (number, name) VALUES (?, ?)", &e);
      if (!s) return rollback(e);
      sqlite3_bind_int(s, 1, m.number);
      sqlite3_bind_text(s, 2, m.name, -1, SQLITE_STATIC);
      if ((rc = sqlite3_step(s)) != SQLITE_DONE) return rollback(w_.error("schema_migrations", rc));
      if (!(e = w_.exec("COMMIT")).ok()) return rollback(e);
    }
    // The read connection opens after the schema exists.
    std::lock_guard<std::mutex> rlock(rmu_);
    if (!rOpen_) {
      if (!(e = r_.open(path_, true)).ok()) return e;
      rOpen_ = true;
    }
    return {};
  }

  StoreError append(const std::vector<NewRow>& rows, int64_t serverAt, const Sealer& seal,
                    std::vector<AppendResult>* out) override {
    std::lock_guard<std::mutex> lock(wmu_);
    out->clear();
    StoreError e = w_.exec("BEGIN IMMEDIATE");
    if (!e.ok()) return e;
    Head h;
    if (!(e = readHead(w_, &h)).ok()) return rollback(e);
    std::unordered_map<std::string, int64_t> batch;  // event_key → seq, this batch
    for (const NewRow& r : rows) {
      AppendResult res;
      auto it = batch.find(r.eventKey);
      if (it != batch.end()) {
        res.seq = it->second;
        out->push_back(res);
        continue;
      }
      int64_t existing = 0;
      if (!(e = findKey(r.eventKey, &existing)).ok()) return rollback(e, out);
      if (existing) {
        res.seq = existing;
        batch[r.eventKey] = existing;
        out->push_back(res);
        continue;
      }
      int64_t seq = h.seq + 1;
      std::string hash = seal(h.hash, seq, serverAt, r);
      if (!(e = insertRow(r, seq, serverAt, hash)).ok()) return rollback(e, out);
      h.seq = seq;
      h.hash = hash;
      batch[r.eventKey] = seq;
      res.stored = true;
      res.seq = seq;
      out->push_back(res);
    }
    sqlite3_stmt* s = w_.stmt("UPDATE ledger_head SET seq = ?, hash = ? WHERE id = 1", &e);
    if (!s) return rollback(e, out);
    sqlite3_bind_int64(s, 1, h.seq);
    bindText(s, 2, h.hash);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return rollback(w_.error("update head", rc), out);
    if (!(e = w_.exec("COMMIT")).ok()) return rollback(e, out);
    return {};
  }

  StoreError head(Head* out) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    return readHead(r_, out);
  }

  StoreError rowsOfRecord(const std::string& recordId, std::vector<Row>* out) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    static const std::string sql = std::string("SELECT ") + kRowColumns + " FROM events WHERE record_id = ? ORDER BY seq";
    StoreError e;
    sqlite3_stmt* s = r_.stmt(sql.c_str(), &e);
    if (!s) return e;
    bindText(s, 1, recordId);
    return readRows(s, out);
  }

  StoreError rowsBySeq(int64_t fromSeq, int64_t toSeq, int64_t limit, std::vector<Row>* out) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    // Both bounds on seq itself (toSeq 0: INT64_MAX), so that the search stops at toSeq: with
    // "(? = 0 OR seq < ?)" SQLite scanned on to the end of the table whenever the range held
    // fewer rows than the limit (a Merkle path's few rows cost a scan of the rest, §4.4).
    static const std::string sql =
        std::string("SELECT ") + kRowColumns + " FROM events WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?";
    StoreError e;
    sqlite3_stmt* s = r_.stmt(sql.c_str(), &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, fromSeq);
    sqlite3_bind_int64(s, 2, toSeq == 0 ? INT64_MAX : toSeq);
    sqlite3_bind_int64(s, 3, limit <= 0 ? INT64_MAX : limit);
    return readRows(s, out);
  }

  StoreError rowsByTime(int64_t fromMs, int64_t toMs, std::vector<Row>* out) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    static const std::string sql =
        std::string("SELECT ") + kRowColumns + " FROM events WHERE server_at >= ? AND server_at < ? ORDER BY seq";
    StoreError e;
    sqlite3_stmt* s = r_.stmt(sql.c_str(), &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, fromMs);
    sqlite3_bind_int64(s, 2, toMs);
    return readRows(s, out);
  }

  StoreError seqRangeByTime(int64_t fromMs, int64_t toMs, int64_t* firstSeq, int64_t* lastSeq) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    StoreError e;
    sqlite3_stmt* s =
        r_.stmt("SELECT coalesce(MIN(seq), 0), coalesce(MAX(seq), 0) FROM events WHERE server_at >= ? AND server_at < ?", &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, fromMs);
    sqlite3_bind_int64(s, 2, toMs);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      *firstSeq = sqlite3_column_int64(s, 0);
      *lastSeq = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) return r_.error("seq range by time", rc);
    return {};
  }

  StoreError addCheckpoint(const Checkpoint& c) override {
    std::lock_guard<std::mutex> lock(wmu_);
    StoreError e;
    sqlite3_stmt* s = w_.stmt(
        "INSERT OR IGNORE INTO checkpoints (seq, head, at, public_key, signature, prev_key, prev_signature, root, "
        "frontier) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, c.seq);
    bindText(s, 2, c.head);
    sqlite3_bind_int64(s, 3, c.at);
    bindText(s, 4, c.publicKey);
    bindText(s, 5, c.signature);
    if (c.isRotation()) {
      bindText(s, 6, c.prevKey);
      bindText(s, 7, c.prevSignature);
    } else {
      sqlite3_bind_null(s, 6);
      sqlite3_bind_null(s, 7);
    }
    for (auto [i, v] : {std::pair<int, const std::string*>{8, &c.root}, {9, &c.frontier}}) {
      if (v->empty()) sqlite3_bind_null(s, i);
      else bindText(s, i, *v);
    }
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return w_.error("add checkpoint", rc);
    return {};
  }

  StoreError checkpointsInRange(int64_t fromSeq, int64_t toSeq, std::vector<Checkpoint>* out) override {
    out->clear();
    return readCheckpoints(
        "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints WHERE seq >= ?1 AND (?2 = 0 OR seq <= ?2) ORDER BY seq, at",
        fromSeq, toSeq, out);
  }

  StoreError latestCheckpoint(Checkpoint* out, bool* found) override {
    std::vector<Checkpoint> one;
    StoreError e = readCheckpoints(
        "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints ORDER BY seq DESC, at DESC LIMIT 1", -1, -1, &one);
    *found = e.ok() && !one.empty();
    if (*found) *out = std::move(one.front());
    return e;
  }

  StoreError keyRotations(std::vector<Checkpoint>* out) override {
    out->clear();
    return readCheckpoints(
        "SELECT " KELISIM_CHECKPOINT_COLUMNS " FROM checkpoints WHERE prev_key IS NOT NULL ORDER BY seq, at", -1, -1,
        out);
  }

  StoreError addMerkleBlocks(const std::vector<MerkleBlock>& blocks) override {
    if (blocks.empty()) return {};
    std::lock_guard<std::mutex> lock(wmu_);
    StoreError e = w_.exec("BEGIN IMMEDIATE");
    if (!e.ok()) return e;
    for (const MerkleBlock& b : blocks) {
      sqlite3_stmt* s = w_.stmt("INSERT OR IGNORE INTO merkle_blocks (leaves, block, hash) VALUES (?, ?, ?)", &e);
      if (!s) return rollback(e);
      sqlite3_bind_int64(s, 1, b.leaves);
      sqlite3_bind_int64(s, 2, b.block);
      bindText(s, 3, b.hash);
      int rc = sqlite3_step(s);
      if (rc != SQLITE_DONE) return rollback(w_.error("add merkle block", rc));
    }
    if (!(e = w_.exec("COMMIT")).ok()) return rollback(e);
    return {};
  }

  StoreError merkleBlocks(int64_t leaves, int64_t fromBlock, int64_t toBlock, std::vector<MerkleBlock>* out) override {
    out->clear();
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    StoreError e;
    // One size: "leaves = ? AND block >= ? AND block < ?" (toBlock 0: INT64_MAX), a search of
    // the primary key that stops at toBlock; "(? = 0 OR …)" made SQLite scan the rest of the
    // table, as it did in rowsBySeq. All sizes (leaves 0, verify): the whole table in order.
    sqlite3_stmt* s = r_.stmt(leaves == 0 ? "SELECT leaves, block, hash FROM merkle_blocks WHERE block >= ?2 "
                                            "AND block < ?3 ORDER BY leaves, block"
                                          : "SELECT leaves, block, hash FROM merkle_blocks WHERE leaves = ?1 AND block >= ?2 "
                                            "AND block < ?3 ORDER BY leaves, block",
                              &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, leaves);
    sqlite3_bind_int64(s, 2, fromBlock);
    sqlite3_bind_int64(s, 3, toBlock == 0 ? INT64_MAX : toBlock);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
      out->push_back({sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), colText(s, 2)});
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return r_.error("read merkle blocks", rc);
    return {};
  }

  StoreError lastMerkleBlock(int64_t leaves, int64_t* block) override {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    StoreError e;
    sqlite3_stmt* s = r_.stmt("SELECT coalesce(MAX(block), -1) FROM merkle_blocks WHERE leaves = ?", &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, leaves);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) *block = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW) return r_.error("read merkle blocks", rc);
    return {};
  }

  StoreError erase(const std::string& recordId, int64_t at, int64_t* n) override {
    std::lock_guard<std::mutex> lock(wmu_);
    StoreError e;
    sqlite3_stmt* s = w_.stmt(
        "UPDATE events SET personal = NULL, record_id = NULL, erased_at = ? WHERE record_id = ? AND erased_at IS NULL",
        &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, at);
    bindText(s, 2, recordId);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return w_.error("erase", rc);
    *n = sqlite3_changes(w_.db());
    return {};
  }

  StoreError eraseBefore(int64_t beforeMs, int64_t at, int64_t* n, std::vector<std::string>* records) override {
    std::lock_guard<std::mutex> lock(wmu_);
    records->clear();
    *n = 0;
    StoreError e = w_.exec("BEGIN IMMEDIATE");
    if (!e.ok()) return e;
    sqlite3_stmt* s = w_.stmt(
        "SELECT DISTINCT record_id FROM events WHERE server_at < ? AND erased_at IS NULL AND record_id IS NOT NULL "
        "ORDER BY record_id",
        &e);
    if (!s) return rollback(e);
    sqlite3_bind_int64(s, 1, beforeMs);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) records->push_back(colText(s, 0));
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return rollback(w_.error("retention", rc));
    s = w_.stmt(
        "UPDATE events SET personal = NULL, record_id = NULL, erased_at = ? WHERE server_at < ? AND erased_at IS NULL",
        &e);
    if (!s) return rollback(e);
    sqlite3_bind_int64(s, 1, at);
    sqlite3_bind_int64(s, 2, beforeMs);
    if ((rc = sqlite3_step(s)) != SQLITE_DONE) return rollback(w_.error("retention", rc));
    *n = sqlite3_changes(w_.db());
    if (!(e = w_.exec("COMMIT")).ok()) return rollback(e);
    return {};
  }

 private:
  /** Runs a checkpoints query (binding a and b to ?1/?2 when they are >= 0) and appends its
   *  rows to *out. */
  StoreError readCheckpoints(const char* sql, int64_t a, int64_t b, std::vector<Checkpoint>* out) {
    std::lock_guard<std::mutex> lock(rmu_);
    if (!rOpen_) return notMigrated();
    StoreError e;
    sqlite3_stmt* s = r_.stmt(sql, &e);
    if (!s) return e;
    if (a >= 0) sqlite3_bind_int64(s, 1, a);
    if (b >= 0) sqlite3_bind_int64(s, 2, b);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Checkpoint c;
      c.seq = sqlite3_column_int64(s, 0);
      c.head = colText(s, 1);
      c.at = sqlite3_column_int64(s, 2);
      c.publicKey = colText(s, 3);
      c.signature = colText(s, 4);
      c.prevKey = colText(s, 5);
      c.prevSignature = colText(s, 6);
      c.root = colText(s, 7);
      c.frontier = colText(s, 8);
      out->push_back(std::move(c));
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return r_.error("read checkpoints", rc);
    return {};
  }

  StoreError notMigrated() { return StoreError{"sqlite store used before migrate()", false}; }

  StoreError rollback(StoreError e, std::vector<AppendResult>* out = nullptr) {
    w_.exec("ROLLBACK");
    if (out) out->clear();
    return e;
  }

  StoreError readHead(Conn& c, Head* out) {
    StoreError e;
    sqlite3_stmt* s = c.stmt("SELECT seq, hash FROM ledger_head WHERE id = 1", &e);
    if (!s) return e;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
      sqlite3_reset(s);
      return c.error("read head", rc);
    }
    out->seq = sqlite3_column_int64(s, 0);
    out->hash = colText(s, 1);
    sqlite3_reset(s);
    return {};
  }

  StoreError findKey(const std::string& key, int64_t* seq) {
    StoreError e;
    sqlite3_stmt* s = w_.stmt("SELECT seq FROM events WHERE event_key = ?", &e);
    if (!s) return e;
    bindText(s, 1, key);
    int rc = sqlite3_step(s);
    *seq = 0;
    if (rc == SQLITE_ROW) *seq = sqlite3_column_int64(s, 0);
    else if (rc != SQLITE_DONE) return w_.error("find event_key", rc);
    sqlite3_reset(s);
    return {};
  }

  StoreError insertRow(const NewRow& r, int64_t seq, int64_t serverAt, const std::string& hash) {
    StoreError e;
    sqlite3_stmt* s = w_.stmt(
        "INSERT INTO events (seq, server_at, event_key, kind, op, method, policy_id, policy_version, client_at, "
        "record_id, body, personal, personal_hash, row_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        &e);
    if (!s) return e;
    sqlite3_bind_int64(s, 1, seq);
    sqlite3_bind_int64(s, 2, serverAt);
    bindText(s, 3, r.eventKey);
    bindText(s, 4, r.kind);
    bindText(s, 5, r.op);
    bindText(s, 6, r.method);
    bindText(s, 7, r.policyId);
    bindText(s, 8, r.policyVersion);
    sqlite3_bind_int64(s, 9, r.clientAt);
    if (r.recordId.empty()) sqlite3_bind_null(s, 10);
    else bindText(s, 10, r.recordId);
    bindText(s, 11, r.body);
    if (r.personal.empty()) sqlite3_bind_null(s, 12);
    else bindText(s, 12, r.personal);
    bindText(s, 13, r.personalHash);
    bindText(s, 14, hash);
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return w_.error("insert event", rc);
    return {};
  }

  /** Steps s to the end into *out and resets it (no read transaction is left open). */
  StoreError readRows(sqlite3_stmt* s, std::vector<Row>* out) {
    out->clear();
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) out->push_back(readRow(s));
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      out->clear();
      return r_.error("read events", rc);
    }
    return {};
  }

  std::string path_;
  std::mutex wmu_, rmu_;
  Conn w_, r_;
  bool rOpen_ = false;
};

}  // namespace

std::unique_ptr<Store> openSqliteStore(const std::string& path, std::string* err) {
  auto s = std::make_unique<SqliteStore>(path);
  StoreError e = s->open();
  if (!e.ok()) {
    *err = e.message;
    return nullptr;
  }
  return s;
}

}  // namespace server
}  // namespace kelisim
