// What the store tests share: the throwaway PostgreSQL the ctest fixture starts
// (scripts/pg-test.sh; its URI in KELISIM_PG_DIR/url), a fresh database per test, rows to
// append, the ledger's sealer and a chain check over what was read back.
#pragma once
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/ledger.h"
#include "store/store.h"

namespace kelisim {
namespace server {
namespace testing_util {

/** A Store that passes every call on to a real one; a test overrides the calls it wants to
 *  count, slow down or fail. */
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& s) : s_(s) {}
  const char* engine() const override { return s_.engine(); }
  StoreError migrate() override { return s_.migrate(); }
  StoreError append(const std::vector<NewRow>& rows, int64_t at, const Sealer& seal, std::vector<AppendResult>* out) override {
    return s_.append(rows, at, seal, out);
  }
  StoreError head(Head* out) override { return s_.head(out); }
  StoreError rowsOfRecord(const std::string& id, std::vector<Row>* out) override { return s_.rowsOfRecord(id, out); }
  StoreError rowsBySeq(int64_t a, int64_t b, int64_t l, std::vector<Row>* out) override { return s_.rowsBySeq(a, b, l, out); }
  StoreError rowsByTime(int64_t a, int64_t b, std::vector<Row>* out) override { return s_.rowsByTime(a, b, out); }
  StoreError seqRangeByTime(int64_t f, int64_t t, int64_t* a, int64_t* b) override { return s_.seqRangeByTime(f, t, a, b); }
  StoreError addCheckpoint(const Checkpoint& c) override { return s_.addCheckpoint(c); }
  StoreError checkpointsInRange(int64_t a, int64_t b, std::vector<Checkpoint>* out) override {
    return s_.checkpointsInRange(a, b, out);
  }
  StoreError latestCheckpoint(Checkpoint* out, bool* found) override { return s_.latestCheckpoint(out, found); }
  StoreError keyRotations(std::vector<Checkpoint>* out) override { return s_.keyRotations(out); }
  StoreError addMerkleBlocks(const std::vector<MerkleBlock>& b) override { return s_.addMerkleBlocks(b); }
  StoreError merkleBlocks(int64_t l, int64_t a, int64_t b, std::vector<MerkleBlock>* out) override {
    return s_.merkleBlocks(l, a, b, out);
  }
  StoreError lastMerkleBlock(int64_t l, int64_t* b) override { return s_.lastMerkleBlock(l, b); }
  StoreError erase(const std::string& id, int64_t at, int64_t* n) override { return s_.erase(id, at, n); }
  StoreError eraseBefore(int64_t b, int64_t at, int64_t* n, std::vector<std::string>* r) override {
    return s_.eraseBefore(b, at, n, r);
  }

 private:
  Store& s_;
};

/** The fixture PostgreSQL's URI (KELISIM_PG_DIR/url). Returns "" and sets *why when the file
 *  is missing: the tests then FAIL (never skip) with that message. */
inline std::string fixturePgUrl(std::string* why) {
  const std::string path = std::string(KELISIM_PG_DIR) + "/url";
  std::ifstream in(path);
  std::string url;
  if (!in || !std::getline(in, url) || url.empty()) {
    *why = "no PostgreSQL for the tests: " + path +
           " is missing. Run them through ctest (its pg fixture runs scripts/pg-test.sh start " +
           KELISIM_PG_DIR + "), or start it yourself: bash scripts/pg-test.sh start " + KELISIM_PG_DIR;
    return "";
  }
  return url;
}

/** `url` with its database name replaced by `db` (libpq URI: postgresql://…/DB?params). */
inline std::string withDatabase(const std::string& url, const std::string& db) {
  size_t q = url.find('?');
  size_t slash = url.rfind('/', q == std::string::npos ? std::string::npos : q);
  return url.substr(0, slash + 1) + db + (q == std::string::npos ? "" : url.substr(q));
}

/** Runs constant SQL on a fresh connection to `url`. Returns "" or the error. */
inline std::string pgExec(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  std::string err;
  if (PQstatus(c) != CONNECTION_OK) {
    err = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) err = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  return err;
}

inline std::string randomHex(size_t n) {
  static std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += hex[rng() % 16];
  return s;
}

/** A database of its own on the fixture PostgreSQL: CREATE DATABASE t_<random> on
 *  construction, DROP … WITH (FORCE) on destruction. `error` is set when it could not be made. */
class PgTestDb {
 public:
  PgTestDb() {
    base_ = fixturePgUrl(&error);
    if (base_.empty()) return;
    name_ = "t_" + randomHex(12);
    std::string e = pgExec(base_, "CREATE DATABASE " + name_);
    if (!e.empty()) {
      error = "CREATE DATABASE " + name_ + ": " + e;
      name_.clear();
    }
  }
  ~PgTestDb() {
    if (!name_.empty()) pgExec(base_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  PgTestDb(const PgTestDb&) = delete;
  PgTestDb& operator=(const PgTestDb&) = delete;
  std::string uri() const { return withDatabase(base_, name_); }
  std::string error;

 private:
  std::string base_, name_;
};

/** A change row of record `recordId` with event id `eventId`, as the ledger would hand it over. */
inline NewRow changeRow(const std::string& recordId, const std::string& eventId, int64_t clientAt = 1796551200123) {
  NewRow r;
  r.eventKey = ledger::eventKey(recordId, eventId);
  r.kind = "change";
  r.op = "accept-all";
  r.method = "explicit";
  r.policyId = "smartaqkol";
  r.policyVersion = "2";
  r.clientAt = clientAt;
  r.recordId = recordId;
  r.body = "{\"id\":\"" + eventId + "\",\"op\":\"accept-all\"}";
  r.personal = "{\"recordId\":\"" + recordId + "\",\"record\":\"k1~" + recordId + "\"}";
  r.personalHash = ledger::personalHash(r.personal);
  return r;
}

/** The ledger's seal (docs/ledger.md §4), as the writer passes it to append(). */
inline Sealer sealer() {
  return [](const std::string& prev, int64_t seq, int64_t serverAt, const NewRow& row) {
    return ledger::rowHash(prev, seq, serverAt, row.eventKey, row.personalHash, row.body);
  };
}

/** Checks rows read back from seq 1: seq 1..n without gaps, each row_hash the seal of the one
 *  before. Returns "" or the first bad position. */
inline std::string chainProblem(const std::vector<Row>& rows) {
  std::string prev = ledger::kGenesis;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    if (r.seq != static_cast<int64_t>(i + 1)) return "seq " + std::to_string(r.seq) + " at position " + std::to_string(i + 1);
    if (r.rowHash != ledger::rowHash(prev, r.seq, r.serverAt, r.eventKey, r.personalHash, r.body)) {
      return "row_hash of seq " + std::to_string(r.seq);
    }
    prev = r.rowHash;
  }
  return "";
}

}  // namespace testing_util
}  // namespace server
}  // namespace kelisim
