// Verification against tampering, on a real SQLite ledger file changed with raw SQL (as
// someone with access to the file would): every kind of change is found and named by its
// first bad position; erasure keeps the ledger valid.
#include <gtest/gtest.h>
#include <sodium.h>

#include <sstream>

#include "core/ledger.h"
#include "ledger/export.h"
#include "ledger/ingest.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "ledger/writer.h"
#include "server_test_util.h"
#include "store/store.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

namespace {

/** A ledger file with 6 events of 3 visitors (checkpoints after events 3 and 6). */
class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    path = dir.path + "/l.db";
    std::string err;
    ASSERT_TRUE(Signer::create(dir.path + "/k", &err)) << err;
    signer = Signer::load(dir.path + "/k", &err);
    ASSERT_TRUE(signer) << err;
    store = openSqliteStore(path, &err);
    ASSERT_TRUE(store && store->migrate().ok()) << err;
    int64_t clock = 1796551200000;
    Writer w(*store, *signer, [&clock] { return clock++; }, 3600);
    ASSERT_TRUE(w.start().ok());
    TestPolicy p = knownPolicy();
    for (int batch = 0; batch < 2; ++batch) {
      ojson events = ojson::array();
      for (int v = 0; v < 3; ++v) {
        std::string rid = "Visitor_" + std::to_string(batch) + std::to_string(v) + "xx";
        std::string stored;
        events.push_back(batch == 0 ? displayEvent(p, rid, "d-display" + rid + "000", clock)
                                    : changeEvent(p, rid, Op::AcceptAll, clock, &stored));
      }
      std::vector<CheckedEvent> out;
      IngestError e = parseEvents(events.dump(), {}, nullptr, "", &out);
      ASSERT_TRUE(e.ok()) << e.message;
      std::vector<NewRow> rows;
      for (auto& c : out) rows.push_back(c.row);
      SubmitResult sr = w.submit(rows);
      ASSERT_TRUE(sr.error.ok()) << sr.error.message;
      ASSERT_TRUE(w.checkpointIfMoved().ok());
    }
    w.stop();
    VerifyResult r = verifyStore(*store, signer->publicKeyHex());
    ASSERT_TRUE(r.valid) << r.message;
    ASSERT_EQ(r.rows, 6);
    ASSERT_EQ(r.checkpoints, 2);
  }

  /** Verifies the file through a fresh connection; expects invalid at seq `at` with `words`. */
  void expectInvalid(int64_t at, const std::string& words) {
    std::string err;
    auto s = openSqliteStore(path, &err);
    ASSERT_TRUE(s && s->migrate().ok()) << err;
    VerifyResult r = verifyStore(*s, signer->publicKeyHex());
    EXPECT_FALSE(r.valid);
    EXPECT_EQ(r.firstBadSeq, at) << r.message;
    EXPECT_NE(r.message.find(words), std::string::npos) << r.message;
  }

  void sql(const std::string& s) { ASSERT_EQ(rawSql(path, s), "") << s; }

  TempDir dir;
  std::string path;
  std::unique_ptr<Signer> signer;
  std::unique_ptr<Store> store;
};

}  // namespace

TEST_F(VerifyTest, EditedBodyIsFound) {
  sql("UPDATE events SET body = replace(body, '\"accept-all\"', '\"reject-all\"') WHERE seq = 5");
  expectInvalid(5, "row_hash");
}

TEST_F(VerifyTest, EditedColumnIsFound) {
  sql("UPDATE events SET policy_version = '1' WHERE seq = 2");
  expectInvalid(2, "policy_version disagrees");
  sql("UPDATE events SET policy_version = '2' WHERE seq = 2");
  sql("UPDATE events SET record_id = 'Someone_else' WHERE seq = 4");
  expectInvalid(4, "record_id disagrees");
}

TEST_F(VerifyTest, EditedPersonalFieldIsFound) {
  sql("UPDATE events SET personal = replace(personal, 'Visitor_11xx', 'Visitor_99xx'), record_id = 'Visitor_99xx' "
      "WHERE seq = 5");
  expectInvalid(5, "personal_hash");
}

TEST_F(VerifyTest, DeletedRowIsFound) {
  sql("DELETE FROM events WHERE seq = 3");
  expectInvalid(3, "missing");
}

TEST_F(VerifyTest, DeletedLastRowIsFound) {
  sql("DELETE FROM events WHERE seq = 6");
  expectInvalid(6, "head");
}

TEST_F(VerifyTest, InsertedRowIsFound) {
  // Make room at seq 3 and put a sealed copy of row 2 (re-keyed) there.
  sql("UPDATE events SET seq = seq + 100 WHERE seq >= 3; UPDATE events SET seq = seq - 99 WHERE seq >= 103;"
      "INSERT INTO events (seq, server_at, event_key, kind, op, method, policy_id, policy_version, client_at, "
      "record_id, body, personal, personal_hash, row_hash) SELECT 3, server_at, 'forged', kind, op, method, "
      "policy_id, policy_version, client_at, record_id, body, personal, personal_hash, row_hash FROM events "
      "WHERE seq = 2; UPDATE ledger_head SET seq = 7");
  expectInvalid(3, "row_hash");
}

TEST_F(VerifyTest, SwappedRowsAreFound) {
  sql("UPDATE events SET seq = 100 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 4;"
      "UPDATE events SET seq = 4 WHERE seq = 100");
  expectInvalid(2, "row_hash");
}

TEST_F(VerifyTest, ResealedChainIsCaughtByTheCheckpoint) {
  // An attacker who edits row 5 and recomputes every later row_hash and the head keeps the
  // chain self-consistent; only the signed checkpoint at seq 6 can tell.
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  std::string prev = rows[3].rowHash;
  for (size_t i = 4; i < rows.size(); ++i) {
    Row& r = rows[i];
    if (r.seq == 5) r.serverAt += 1;
    r.rowHash = ledger::rowHash(prev, r.seq, r.serverAt, r.eventKey, r.personalHash, r.body);
    prev = r.rowHash;
    sql("UPDATE events SET server_at = " + std::to_string(r.serverAt) + ", row_hash = '" + r.rowHash +
        "' WHERE seq = " + std::to_string(r.seq));
  }
  sql("UPDATE ledger_head SET hash = '" + prev + "'");
  expectInvalid(6, "head is not the chain");
}

TEST_F(VerifyTest, EditedCheckpointIsFound) {
  sql("UPDATE checkpoints SET at = at + 1 WHERE seq = 3");
  expectInvalid(3, "bad signature");
}

TEST_F(VerifyTest, CheckpointOfAnotherKeyIsFound) {
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  auto other = Signer::fromSecretKey(sk);
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_TRUE(store->addCheckpoint(other->checkpoint(4, rows[3].rowHash, 5)).ok());
  expectInvalid(4, "unknown key");
}

TEST_F(VerifyTest, ErasureKeepsTheLedgerValid) {
  int64_t n = 0;
  ASSERT_TRUE(store->erase("Visitor_11xx", 1796551300000, &n).ok());
  EXPECT_EQ(n, 1);
  VerifyResult r = verifyStore(*store, signer->publicKeyHex());
  EXPECT_TRUE(r.valid) << r.message;
  // …but an erased row whose personal_hash is then edited is not.
  sql("UPDATE events SET personal_hash = '" + std::string(64, '0') + "' WHERE record_id IS NULL");
  expectInvalid(5, "row_hash");
}

TEST_F(VerifyTest, ExportRoundTripsAndATamperedExportFails) {
  std::vector<Row> rows;
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  std::stringstream out;
  writeExport(rows, cps, signer->publicKeyHex(), out);
  ExportData d;
  std::string err;
  std::stringstream in(out.str());
  ASSERT_TRUE(readExport(in, &d, &err)) << err;
  ASSERT_EQ(d.rows.size(), 6u);
  Verifier v(signer->publicKeyHex(), d.checkpoints, d.fromSeq, d.prevHash);
  v.expectEnd(d.headSeq, d.headHash);
  for (const Row& r : d.rows) v.add(r);
  VerifyResult ok = v.finish();
  EXPECT_TRUE(ok.valid) << ok.message;
  EXPECT_EQ(ok.checkpoints, 2);
  // A slice (rows 4..6) verifies with the row_hash before it.
  std::vector<Row> slice(rows.begin() + 3, rows.end());
  std::stringstream s2;
  writeExport(slice, cps, signer->publicKeyHex(), s2, rows[2].rowHash);
  ExportData d2;
  std::stringstream in2(s2.str());
  ASSERT_TRUE(readExport(in2, &d2, &err)) << err;
  VerifyResult sr = verifyRows(d2.rows, d2.checkpoints, signer->publicKeyHex(), d2.fromSeq, d2.prevHash);
  EXPECT_TRUE(sr.valid) << sr.message;
  EXPECT_EQ(sr.checkpoints, 1);
  // One row's body changed in the file.
  rows[1].body += " ";
  VerifyResult bad = verifyRows(rows, cps, signer->publicKeyHex());
  EXPECT_FALSE(bad.valid);
  EXPECT_EQ(bad.firstBadSeq, 2);
  std::stringstream garbage("{\"format\":\"other\"}\n");
  EXPECT_FALSE(readExport(garbage, &d, &err));
  EXPECT_NE(err.find("line 1"), std::string::npos);
}
