// The SQLite store on a real temp file (the engine-neutral behaviour is also covered by
// store_conformance_test over SQLite and PostgreSQL): durability settings, migrations
// bookkeeping, append/dedup/seq/row hashes, reads while the writer commits, reopen.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/ledger.h"
#include "ledger/writer.h"
#include "server_test_util.h"
#include "store/store.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

namespace {

NewRow row(const std::string& recordId, const std::string& eventId) {
  NewRow r;
  r.eventKey = ledger::eventKey(recordId, eventId);
  r.kind = "display";
  r.op = "banner";
  r.policyId = "smartaqkol";
  r.policyVersion = "2";
  r.clientAt = 5;
  r.recordId = recordId;
  r.body = "{\"id\":\"" + eventId + "\"}";
  r.personal = "{\"recordId\":\"" + recordId + "\"}";
  r.personalHash = ledger::personalHash(r.personal);
  return r;
}

std::string pragma(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  std::string v;
  if (sqlite3_step(s) == SQLITE_ROW) v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

}  // namespace

TEST(SqliteStore, UsesWalAndRecordsItsMigrations) {
  TempDir dir;
  std::string path = dir.path + "/l.db", err;
  auto store = openStore("sqlite:" + path, &err);
  ASSERT_TRUE(store) << err;
  EXPECT_STREQ(store->engine(), "sqlite");
  ASSERT_TRUE(store->migrate().ok());
  ASSERT_TRUE(store->migrate().ok());  // idempotent
  EXPECT_EQ(pragma(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma(path, "SELECT group_concat(name) FROM schema_migrations"), "001_init,002_keys_and_roots,003_merkle_blocks");
}

TEST(SqliteStore, ALedgerOfTheFirstSchemaGainsKeyRotationsAndKeepsItsCheckpoints) {
  // A file as a server before key rotation left it: 001 applied, one checkpoint.
  TempDir dir;
  std::string path = dir.path + "/old.db", err;
  ASSERT_EQ(rawSql(path, testutil::repoFile("server/migrations/sqlite/001_init.sql") +
                             "; CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                             "applied_at INTEGER NOT NULL DEFAULT 0); INSERT INTO schema_migrations (number, name) "
                             "VALUES (1, '001_init'); INSERT INTO checkpoints VALUES (0, 'h', 5, 'k', 's')"),
            "");
  auto store = openStore("sqlite:" + path, &err);
  ASSERT_TRUE(store) << err;
  ASSERT_TRUE(store->migrate().ok());
  EXPECT_EQ(pragma(path, "SELECT group_concat(name) FROM schema_migrations"), "001_init,002_keys_and_roots,003_merkle_blocks");
  std::vector<Checkpoint> cps, rotations;
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].signature, "s");
  EXPECT_FALSE(cps[0].isRotation());
  ASSERT_TRUE(store->keyRotations(&rotations).ok());
  EXPECT_TRUE(rotations.empty());
}

TEST(SqliteStore, BadDbValuesAreNamed) {
  std::string err;
  EXPECT_EQ(openStore("mysql://x", &err), nullptr);
  EXPECT_NE(err.find("sqlite:PATH"), std::string::npos) << err;
  EXPECT_EQ(openStore("sqlite:/nonexistent-dir/x/l.db", &err), nullptr);
  EXPECT_NE(err.find("/nonexistent-dir/x/l.db"), std::string::npos) << err;
}

TEST(SqliteStore, AppendSealsDedupsAndSurvivesReopen) {
  TempDir dir;
  std::string path = dir.path + "/l.db", err;
  {
    auto store = openSqliteStore(path, &err);
    ASSERT_TRUE(store && store->migrate().ok()) << err;
    std::vector<AppendResult> res;
    ASSERT_TRUE(store->append({row("RecordAAA1", "e1"), row("RecordAAA1", "e2"), row("RecordAAA1", "e1")}, 100,
                              sealRow, &res).ok());
    ASSERT_EQ(res.size(), 3u);
    EXPECT_TRUE(res[0].stored && res[1].stored && !res[2].stored);
    EXPECT_EQ(res[0].seq, 1);
    EXPECT_EQ(res[1].seq, 2);
    EXPECT_EQ(res[2].seq, 1);
    ASSERT_TRUE(store->append({row("RecordBBB2", "e1"), row("RecordAAA1", "e2")}, 200, sealRow, &res).ok());
    EXPECT_TRUE(res[0].stored);
    EXPECT_EQ(res[0].seq, 3);
    EXPECT_FALSE(res[1].stored);
    EXPECT_EQ(res[1].seq, 2);
  }
  auto store = openSqliteStore(path, &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_EQ(rows.size(), 3u);
  std::string prev = ledger::kGenesis;
  for (const Row& r : rows) {
    EXPECT_EQ(r.rowHash, ledger::rowHash(prev, r.seq, r.serverAt, r.eventKey, r.personalHash, r.body));
    prev = r.rowHash;
  }
  EXPECT_EQ(rows[2].serverAt, 200);
  EXPECT_EQ(*rows[2].recordId, "RecordBBB2");
  Head h;
  ASSERT_TRUE(store->head(&h).ok());
  EXPECT_EQ(h.seq, 3);
  EXPECT_EQ(h.hash, rows[2].rowHash);
}

TEST(SqliteStore, ReadsRunWhileTheWriterCommits) {
  TempDir dir;
  std::string err;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0}, badReads{0};
  std::thread reader([&] {
    while (!stop) {
      Head h;
      std::vector<Row> rows;
      if (!store->head(&h).ok() || !store->rowsBySeq(1, 0, 0, &rows).ok() || int64_t(rows.size()) < h.seq) ++badReads;
      ++reads;
    }
  });
  for (int i = 0; i < 50; ++i) {
    std::vector<AppendResult> res;
    ASSERT_TRUE(store->append({row("RecordCCC3", "e" + std::to_string(i))}, i, sealRow, &res).ok());
  }
  stop = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(badReads.load(), 0);
}
