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
      submit(w, events);
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

  /** The events, checked by the ledger's ingest, through the writer `w`. */
  static void submit(Writer& w, const ojson& events) {
    std::vector<CheckedEvent> out;
    IngestError e = parseEvents(events.dump(), {}, nullptr, "", &out);
    ASSERT_TRUE(e.ok()) << e.message;
    std::vector<NewRow> rows;
    for (auto& c : out) rows.push_back(c.row);
    SubmitResult sr = w.submit(rows);
    ASSERT_TRUE(sr.error.ok()) << sr.error.message;
  }

  /** Three more accept-all events of new visitors (batch > 1) through a writer that signs with
   *  `s`, then a checkpoint. Returns what Writer::start() said (nothing is written when !ok). */
  StoreError addBatch(const Signer& s, int batch) {
    Writer w(*store, s, [this] { return clock++; }, 3600);
    StoreError started = w.start();
    if (!started.ok()) return started;
    ojson events = ojson::array();
    for (int v = 0; v < 3; ++v) {
      std::string stored;
      events.push_back(changeEvent(knownPolicy(), "Visitor_" + std::to_string(batch) + std::to_string(v) + "xx",
                                   Op::AcceptAll, clock, &stored));
    }
    submit(w, events);
    StoreError cp = w.checkpointIfMoved();
    w.stop();
    return cp;
  }

  static std::unique_ptr<Signer> newSigner() {
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    return Signer::fromSecretKey(sk);
  }

  VerifyResult verifyWith(const std::string& key) {
    std::string err;
    auto s = openSqliteStore(path, &err);
    EXPECT_TRUE(s && s->migrate().ok()) << err;
    return verifyStore(*s, key);
  }

  int64_t clock = 1796551300000;

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

// Key rotation (docs/ledger.md §4.1): the ledger of the fixture (rows 1–6, checkpoints by the
// first key) handed over to a second key, which then writes rows 7–9 and their checkpoint.
TEST_F(VerifyTest, ARotatedLedgerVerifiesWithEitherKeyAndNoOther) {
  auto next = newSigner();
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*store, *signer, *next, clock++, &r).ok());
  EXPECT_EQ(r.seq, 6);
  EXPECT_EQ(r.prevKey, signer->publicKeyHex());
  EXPECT_EQ(r.publicKey, next->publicKeyHex());
  ASSERT_TRUE(addBatch(*next, 2).ok());
  std::vector<Checkpoint> rotations;
  ASSERT_TRUE(store->keyRotations(&rotations).ok());
  ASSERT_EQ(rotations.size(), 1u);
  EXPECT_EQ(rotations[0].prevSignature, r.prevSignature);
  for (const std::string& key : {signer->publicKeyHex(), next->publicKeyHex()}) {
    VerifyResult v = verifyWith(key);
    EXPECT_TRUE(v.valid) << v.message;
    EXPECT_EQ(v.rows, 9);
    EXPECT_EQ(v.checkpoints, 4);  // seq 3, 6, the rotation at 6, seq 9
    EXPECT_NE(v.message.find("signing keys " + signer->publicKeyHex().substr(0, 16)), std::string::npos) << v.message;
  }
  VerifyResult stranger = verifyWith(newSigner()->publicKeyHex());
  EXPECT_FALSE(stranger.valid);
  EXPECT_EQ(stranger.firstBadSeq, 6);
  EXPECT_NE(stranger.message.find("do not include the key named"), std::string::npos) << stranger.message;
}

TEST_F(VerifyTest, TheOldKeyCannotWriteAfterItsRotation) {
  auto next = newSigner();
  // A writer of the old key, running when the ledger is handed over, writes no checkpoint after.
  Writer running(*store, *signer, [this] { return clock++; }, 3600);
  ASSERT_TRUE(running.start().ok());
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*store, *signer, *next, clock++, &r).ok());
  std::string stored;
  std::vector<CheckedEvent> out;
  ASSERT_TRUE(parseEvents(ojson::array({changeEvent(knownPolicy(), "Visitor_30xx", Op::RejectAll, clock, &stored)}).dump(),
                          {}, nullptr, "", &out)
                  .ok());
  ASSERT_TRUE(running.submit({out[0].row}).error.ok());  // rows are still stored…
  StoreError cp = running.checkpointIfMoved();            // …but not signed by the old key
  EXPECT_FALSE(cp.ok());
  EXPECT_NE(cp.message.find(next->publicKeyHex()), std::string::npos) << cp.message;
  running.stop();
  Checkpoint latest;
  bool found = false;
  ASSERT_TRUE(store->latestCheckpoint(&latest, &found).ok() && found);
  EXPECT_TRUE(latest.isRotation());
  // A writer started with the old key, or with a key nobody handed the ledger to, is refused.
  for (const Signer* s : {signer.get(), newSigner().release()}) {
    StoreError e = addBatch(*s, 4);
    EXPECT_FALSE(e.ok());
    EXPECT_NE(e.message.find("rotate-key"), std::string::npos) << e.message;
    if (s != signer.get()) delete s;
  }
  // The new key goes on from the rotation and signs row 7 as well.
  ASSERT_TRUE(addBatch(*next, 5).ok());
  VerifyResult v = verifyWith(signer->publicKeyHex());
  EXPECT_TRUE(v.valid) << v.message;
  EXPECT_EQ(v.rows, 10);
}

TEST_F(VerifyTest, RotateKeyRefusesWhatIsNotAHandOver) {
  auto next = newSigner(), stranger = newSigner();
  Checkpoint r;
  StoreError e = rotateKey(*store, *signer, *signer, clock, &r);
  EXPECT_NE(e.message.find("the new key is the old key"), std::string::npos) << e.message;
  e = rotateKey(*store, *stranger, *next, clock, &r);
  EXPECT_NE(e.message.find("not the old key given"), std::string::npos) << e.message;
  ASSERT_TRUE(rotateKey(*store, *signer, *next, clock, &r).ok());
  e = rotateKey(*store, *signer, *next, clock, &r);
  EXPECT_NE(e.message.find("already signed by the new key"), std::string::npos) << e.message;
  // An empty ledger has nothing to hand over.
  std::string err;
  auto empty = openSqliteStore(dir.path + "/empty.db", &err);
  ASSERT_TRUE(empty && empty->migrate().ok()) << err;
  e = rotateKey(*empty, *signer, *next, clock, &r);
  EXPECT_NE(e.message.find("the ledger is empty"), std::string::npos) << e.message;
  std::vector<Checkpoint> none;
  ASSERT_TRUE(empty->keyRotations(&none).ok());
  EXPECT_TRUE(none.empty());
}

TEST_F(VerifyTest, ATamperedOrForgedRotationIsFound) {
  auto next = newSigner();
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*store, *signer, *next, clock++, &r).ok());
  ASSERT_TRUE(addBatch(*next, 2).ok());
  // The old key's signature edited.
  std::string good = r.prevSignature;
  std::string bad = (good[0] == '0' ? "1" : "0") + good.substr(1);
  sql("UPDATE checkpoints SET prev_signature = '" + bad + "' WHERE prev_key IS NOT NULL");
  VerifyResult v = verifyWith(next->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 6);
  EXPECT_NE(v.message.find("bad signature of the old key"), std::string::npos) << v.message;
  sql("UPDATE checkpoints SET prev_signature = '" + good + "' WHERE prev_key IS NOT NULL");
  EXPECT_TRUE(verifyWith(next->publicKeyHex()).valid);
  // The rotation removed: the new key's checkpoint is then signed by a key nobody vouched for.
  sql("DELETE FROM checkpoints WHERE prev_key IS NOT NULL");
  v = verifyWith(signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 9);
  EXPECT_NE(v.message.find("unknown key"), std::string::npos) << v.message;
  ASSERT_TRUE(store->addCheckpoint(r).ok());
  EXPECT_TRUE(verifyWith(signer->publicKeyHex()).valid);
  // Someone with the leaked old key signs a later head: not the key in force there.
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_TRUE(store->addCheckpoint(signer->checkpoint(8, rows[7].rowHash, clock++)).ok());
  v = verifyWith(next->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 8);
  EXPECT_NE(v.message.find("not the key in force"), std::string::npos) << v.message;
  sql("DELETE FROM checkpoints WHERE seq = 8");
  // …or hands the ledger to a key of their own: the rotation does not start from the key in force.
  auto thief = newSigner(), thief2 = newSigner();
  ASSERT_TRUE(store->addCheckpoint(thief->rotationTo(*thief2, 9, rows[8].rowHash, clock++)).ok());
  v = verifyWith(signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 9);
  EXPECT_NE(v.message.find("hands over from key " + thief->publicKeyHex()), std::string::npos) << v.message;
}

TEST_F(VerifyTest, AnExportCarriesTheKeyHistoryWhateverItsSlice) {
  auto next = newSigner();
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*store, *signer, *next, clock++, &r).ok());
  ASSERT_TRUE(addBatch(*next, 2).ok());
  std::vector<Row> rows;
  std::vector<Checkpoint> cps, rotations;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  ASSERT_TRUE(store->keyRotations(&rotations).ok());
  auto verifyExport = [&](const std::string& text, const std::string& key) {
    ExportData d;
    std::string err;
    std::stringstream in(text);
    EXPECT_TRUE(readExport(in, &d, &err)) << err;
    Verifier v(key, d.checkpoints, d.fromSeq, d.prevHash);
    v.setKeyHistory(d.keyRotations);
    v.expectEnd(d.headSeq, d.headHash);
    for (const Row& row : d.rows) v.add(row);
    return v.finish();
  };
  // Rows 1–3 (before the rotation) and rows 7–9 (after it), each with either key.
  for (auto [from, to] : {std::pair<size_t, size_t>{0, 3}, {6, 9}}) {
    std::vector<Row> slice(rows.begin() + long(from), rows.begin() + long(to));
    std::stringstream out;
    writeExport(slice, cps, next->publicKeyHex(), out, from ? rows[from - 1].rowHash : "", rotations);
    EXPECT_NE(out.str().find("\"keyRotations\":[{"), std::string::npos);
    for (const std::string& key : {signer->publicKeyHex(), next->publicKeyHex()}) {
      VerifyResult v = verifyExport(out.str(), key);
      EXPECT_TRUE(v.valid) << from << ": " << v.message;
      EXPECT_EQ(v.checkpoints, 1);
    }
    // Without its key history, the slice after the rotation verifies only with the new key.
    std::stringstream bare;
    writeExport(slice, cps, next->publicKeyHex(), bare, from ? rows[from - 1].rowHash : "");
    EXPECT_EQ(verifyExport(bare.str(), signer->publicKeyHex()).valid, from == 0);
  }
  // The whole export holds the rotation twice (header and checkpoint line). The new key's
  // signature edited in one of them, then in both.
  std::stringstream whole;
  writeExport(rows, cps, next->publicKeyHex(), whole, "", rotations);
  std::string text = whole.str();
  std::string edited = r.signature.substr(0, 12) + (r.signature[12] == 'a' ? "b" : "a");
  size_t at = text.find("\"signature\":\"" + r.signature.substr(0, 13));
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 13, 13, edited);
  VerifyResult v = verifyExport(text, signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.message.find("given twice, and the two differ"), std::string::npos) << v.message;
  at = text.find("\"signature\":\"" + r.signature.substr(0, 13));
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 13, 13, edited);
  v = verifyExport(text, signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.message.find("bad signature of the new key"), std::string::npos) << v.message;
  std::stringstream garbage("{\"format\":\"kelisim-ledger-export/1\",\"publicKey\":\"k\",\"head\":{\"seq\":0,\"hash\":\"h\"},"
                            "\"from\":{\"seq\":1,\"prevHash\":\"h\"},\"keyRotations\":[{\"seq\":1}]}\n");
  ExportData d;
  std::string err;
  EXPECT_FALSE(readExport(garbage, &d, &err));
  EXPECT_NE(err.find("keyRotations"), std::string::npos) << err;
}

// Merkle roots (docs/ledger.md §4.2): every checkpoint of the writer signs the root of rows
// 1..seq; a whole-chain verification recomputes it.
TEST_F(VerifyTest, CheckpointsSignTheMerkleRootOfTheirRows) {
  std::vector<Checkpoint> cps;
  std::vector<Row> rows;
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_EQ(cps.size(), 2u);
  ledger::MerkleFrontier tree;
  for (const Row& r : rows) {
    tree.push(ledger::merkleLeaf(r.rowHash));
    for (const Checkpoint& c : cps)
      if (c.seq == r.seq) {
        EXPECT_EQ(c.root, tree.root()) << "seq " << c.seq;
        EXPECT_EQ(c.frontier, tree.text()) << "seq " << c.seq;
      }
  }
  // A root that is not the rows' tree, even signed by the ledger's own key: found.
  ASSERT_TRUE(store->addCheckpoint(signer->checkpoint(6, rows[5].rowHash, clock++, cps[0].root)).ok());
  expectInvalid(6, "Merkle root is not the tree of rows 1..6");
  sql("DELETE FROM checkpoints WHERE root = '" + cps[0].root + "' AND seq = 6");
  EXPECT_TRUE(verifyWith(signer->publicKeyHex()).valid);
  // The root edited in place: the signature no longer holds.
  sql("UPDATE checkpoints SET root = '" + cps[0].root + "' WHERE seq = 6");
  expectInvalid(6, "bad signature");
}

TEST_F(VerifyTest, AnEditedStoredFrontierShowsInTheNextRoot) {
  // The frontier column is a cache the next checkpoint goes on from; editing it makes that
  // checkpoint sign a root that is not the rows' tree, and verify names it.
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  std::string edited = cps[1].frontier;
  size_t colon = edited.find(':');
  edited[colon + 1] = edited[colon + 1] == 'a' ? 'b' : 'a';
  sql("UPDATE checkpoints SET frontier = '" + edited + "' WHERE seq = 6");
  ASSERT_TRUE(addBatch(*signer, 2).ok());
  VerifyResult v = verifyWith(signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 9);
  EXPECT_NE(v.message.find("Merkle root"), std::string::npos) << v.message;
}

TEST_F(VerifyTest, ALedgerFromBeforeRootsGoesOnWithThem) {
  // Checkpoints of the first form (no root, no frontier), as a server before roots wrote them.
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  sql("DELETE FROM checkpoints");
  for (int64_t seq : {3, 6}) ASSERT_TRUE(store->addCheckpoint(signer->checkpoint(seq, rows[seq - 1].rowHash, clock++)).ok());
  EXPECT_TRUE(verifyWith(signer->publicKeyHex()).valid);
  ASSERT_TRUE(addBatch(*signer, 2).ok());  // the writer builds the tree from row 1 once
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ledger::MerkleFrontier tree;
  for (const Row& r : rows) tree.push(ledger::merkleLeaf(r.rowHash));
  Checkpoint latest;
  bool found = false;
  ASSERT_TRUE(store->latestCheckpoint(&latest, &found).ok() && found);
  EXPECT_EQ(latest.seq, 9);
  EXPECT_EQ(latest.root, tree.root());
  VerifyResult v = verifyWith(signer->publicKeyHex());
  EXPECT_TRUE(v.valid) << v.message;
  EXPECT_EQ(v.checkpoints, 3);
}
