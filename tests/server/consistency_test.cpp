// ledger/consistency.cpp and merkle.cpp's consistencyPath (docs/ledger.md §4.3, RFC 9162
// §2.1.4): proofs between real checkpoints of a real ledger, on SQLite and on the fixture
// PostgreSQL, rows changed behind the server's back with raw SQL, and documents edited or
// forged by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/consistency.h"
#include "ledger/export.h"
#include "ledger/merkle.h"
#include "ops_fixture.h"
#include "server_test_util.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::Ledger;
using ops_test::Visitor;

/** Visitors (a banner display and a reject-all each) then a checkpoint, for each count in
 *  `visitors`; returns every checkpoint of the ledger, in (seq, at) order. With {1, 2, 1, 3}:
 *  checkpoints at seqs 2, 6, 8, 14 (a tree of 8 is complete, the others not). */
std::vector<Checkpoint> grow(Ledger& L, const std::vector<int>& visitors) {
  const PolicyVersion& pv = L.policy("smartaqkol", "2");
  for (int n : visitors) {
    ojson events = ojson::array();
    for (int i = 0; i < n; ++i) {
      Visitor v;
      L.nowMs += 1000;
      events.push_back(L.display(v, pv, "banner", L.nowMs - 500));
      events.push_back(L.press(v, pv, Op::RejectAll, L.nowMs - 400));
    }
    L.ingest(events);
    L.checkpoint();
  }
  std::vector<Checkpoint> cps;
  EXPECT_TRUE(L.store->checkpoints(&cps).ok());
  return cps;
}

/** The consistency document between a and b, as GET /v1/consistency builds it (paths read 3
 *  rows at a time, so that they span pages). */
std::string documentOf(Ledger& L, const Checkpoint& a, const Checkpoint& b) {
  std::vector<std::string> path;
  std::vector<Checkpoint> rotations;
  StoreError e = consistencyPath(*L.store, a.seq, b.seq, &path, 3);
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_TRUE(L.store->keyRotations(&rotations).ok());
  return buildConsistency(a, b, path, L.app.signer->publicKeyHex(), rotations, L.nowMs).dump(2);
}

/** Raw SQL on the ledger's database, behind the server's back. */
void tamper(Ledger& L, const std::string& sql) {
  if (L.pg) ASSERT_EQ(testing_util::pgExec(L.pg->uri(), sql), "") << sql;
  else ASSERT_EQ(testutil::rawSql((L.dir / "ledger.db").string(), sql), "") << sql;
}

class ConsistencyOn : public ::testing::TestWithParam<std::string> {};

TEST_P(ConsistencyOn, EveryPairOfRealCheckpointsIsConsistent) {
  Ledger L(GetParam());
  std::vector<Checkpoint> cps = grow(L, {1, 2, 1, 3});
  ASSERT_EQ(cps.size(), 4u);
  EXPECT_EQ(cps[2].seq, 8);
  for (size_t i = 0; i < cps.size(); ++i)
    for (size_t j = i; j < cps.size(); ++j) {
      std::string doc = documentOf(L, cps[i], cps[j]), why;
      ConsistencyProof p;
      EXPECT_TRUE(verifyConsistencyProof(doc, L.signer->publicKeyHex(), &why, &p)) << i << " → " << j << ": " << why;
      EXPECT_EQ(p.path.size(), ledger::consistencyRanges(cps[i].seq, cps[j].seq).size());
      EXPECT_TRUE(sameCheckpoint(p.from, cps[i]));
      EXPECT_TRUE(sameCheckpoint(p.to, cps[j]));
      if (i == j) EXPECT_TRUE(p.path.empty());
    }
}

TEST_P(ConsistencyOn, ARowChangedAfterItWasSignedBreaksAFreshProof) {
  Ledger L(GetParam());
  std::vector<Checkpoint> cps = grow(L, {1, 2, 1, 3});  // seqs 2, 6, 8, 14
  std::string why;
  // Row 10 (after seq 8, before 14) resealed by someone with the database: the path read from
  // the rows no longer leads to the root the checkpoint at 14 signed.
  tamper(L, "UPDATE events SET row_hash = '" + std::string(64, 'e') + "' WHERE seq = 10");
  EXPECT_FALSE(verifyConsistencyProof(documentOf(L, cps[1], cps[3]), L.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("does not lead from the Merkle root at seq 6 to the one at seq 14"), std::string::npos) << why;
  // Between checkpoints that both precede it, nothing changed.
  EXPECT_TRUE(verifyConsistencyProof(documentOf(L, cps[0], cps[2]), L.signer->publicKeyHex(), &why)) << why;
  // Row 3 (within the older tree of 6 rows): refused too.
  tamper(L, "UPDATE events SET row_hash = '" + std::string(64, 'e') + "' WHERE seq = 10; "
            "UPDATE events SET row_hash = '" + std::string(64, 'd') + "' WHERE seq = 3");
  EXPECT_FALSE(verifyConsistencyProof(documentOf(L, cps[1], cps[2]), L.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("does not lead"), std::string::npos) << why;
}

INSTANTIATE_TEST_SUITE_P(Engines, ConsistencyOn, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(Consistency, AnEditedOrForgedDocumentIsRefused) {
  Ledger L;
  std::vector<Checkpoint> cps = grow(L, {1, 2, 1, 3});
  const std::string key = L.signer->publicKeyHex();
  const std::string good = documentOf(L, cps[1], cps[3]);
  std::string why;
  ASSERT_TRUE(verifyConsistencyProof(good, key, &why)) << why;
  auto refused = [&](const ojson& doc, const std::string& words, const std::string& k) {
    std::string w;
    EXPECT_FALSE(verifyConsistencyProof(doc.dump(), k, &w)) << words;
    EXPECT_NE(w.find(words), std::string::npos) << w;
  };
  auto edited = [&](auto change) {
    ojson d = ojson::parse(good);
    change(d);
    return d;
  };
  auto flip = [](const ojson& j) {
    std::string s = j.get<std::string>();
    s[7] = s[7] == 'a' ? 'b' : 'a';
    return s;
  };
  // A signed field changed: the signature no longer holds.
  refused(edited([&](ojson& d) { d["to"]["root"] = flip(d["to"]["root"]); }), "bad signature", key);
  refused(edited([&](ojson& d) { d["from"]["seq"] = 7; }), "bad signature", key);
  // Any hash of the path changed, one dropped or one added.
  for (size_t i = 0; i < ojson::parse(good)["path"].size(); ++i)
    refused(edited([&](ojson& d) { d["path"][i] = flip(d["path"][i]); }), "does not lead", key);
  refused(edited([&](ojson& d) { d["path"].erase(d["path"].size() - 1); }), "does not lead", key);
  refused(edited([&](ojson& d) { d["path"].push_back(std::string(64, 'a')); }), "does not lead", key);
  // The two checkpoints swapped.
  refused(edited([&](ojson& d) { std::swap(d["from"], d["to"]); }), "is after to", key);
  // Another ledger's key, named or signing.
  Ledger other;
  refused(ojson::parse(good), "not by the key in force", other.signer->publicKeyHex());
  Checkpoint foreign = other.signer->checkpoint(cps[1].seq, cps[1].head, cps[1].at, cps[1].root);
  refused(edited([&](ojson& d) { d["from"] = checkpointJson(foreign); }), "not by the key in force", key);
  // A rewritten ledger signed by the ledger's own key (a fork at seq 14): the real path cannot
  // lead to its root. This is what the proof is for.
  Checkpoint fork = L.signer->checkpoint(cps[3].seq, cps[3].head, cps[3].at + 1, std::string(64, 'f'));
  refused(edited([&](ojson& d) { d["to"] = checkpointJson(fork); }), "does not lead", key);
  // A checkpoint from before roots (kelisim-ledger-checkpoint/1), genuinely signed.
  Checkpoint rootless = L.signer->checkpoint(cps[1].seq, cps[1].head, cps[1].at);
  refused(edited([&](ojson& d) { d["from"] = checkpointJson(rootless); }), "signs no Merkle root", key);
  // Not the document at all.
  refused(edited([&](ojson& d) { d["format"] = "kelisim-proof/1"; }), "format", key);
  refused(edited([&](ojson& d) { d.erase("from"); }), "from is not a checkpoint", key);
  refused(edited([&](ojson& d) { d["path"] = "x"; }), "path is not an array", key);
  refused(edited([&](ojson& d) { d["path"][0] = 1; }), "path is not an array", key);
  refused(edited([&](ojson& d) { d["keyRotations"] = {{{"seq", 1}}}; }), "keyRotations", key);
  EXPECT_FALSE(verifyConsistencyProof("not json", key, &why));
  EXPECT_FALSE(verifyConsistencyProof("{\"format\":\"kelisim-ledger-consistency/1\",\"x\":" + std::string(100000, '[') +
                                          std::string(100000, ']') + "}",
                                      key, &why));
  EXPECT_NE(why.find("nested deeper"), std::string::npos) << why;
}

TEST(Consistency, AcrossAKeyRotationEitherKeyVerifiesAndTheHistoryIsNeeded) {
  // L last: destroyed first, while the key its writer was started with (next's after the swap) lives.
  Ledger next, stranger, L;
  std::vector<Checkpoint> cps = grow(L, {1, 2});  // seqs 2, 6, signed by the first key
  Checkpoint rotation;
  L.nowMs += 1000;
  ASSERT_TRUE(rotateKey(*L.store, *L.signer, *next.signer, L.nowMs, &rotation).ok());
  L.signer.swap(next.signer);  // from now on the ledger's checkpoints are the new key's
  L.app.signer = L.signer.get();
  cps = grow(L, {3});  // seq 12, signed by the new key
  ASSERT_EQ(cps.size(), 4u);
  ASSERT_TRUE(cps[2].isRotation());
  const std::string oldKey = next.signer->publicKeyHex(), newKey = L.signer->publicKeyHex();
  std::string doc = documentOf(L, cps[0], cps[3]), why;
  EXPECT_TRUE(verifyConsistencyProof(doc, oldKey, &why)) << why;
  EXPECT_TRUE(verifyConsistencyProof(doc, newKey, &why)) << why;
  EXPECT_FALSE(verifyConsistencyProof(doc, stranger.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("do not include the key named"), std::string::npos) << why;
  // The rotation itself as either end.
  EXPECT_TRUE(verifyConsistencyProof(documentOf(L, cps[2], cps[3]), oldKey, &why)) << why;
  EXPECT_TRUE(verifyConsistencyProof(documentOf(L, cps[1], cps[2]), newKey, &why)) << why;
  // Without the key history, a checkpoint of the other key is not the named key's.
  ojson bare = ojson::parse(doc);
  bare.erase("keyRotations");
  EXPECT_FALSE(verifyConsistencyProof(bare.dump(), oldKey, &why));
  EXPECT_NE(why.find("not by the key in force"), std::string::npos) << why;
  // The old key signing after its rotation (a leaked key) is not the key in force there.
  ojson late = ojson::parse(doc);
  late["to"] = checkpointJson(next.signer->checkpoint(cps[3].seq, cps[3].head, cps[3].at, cps[3].root));
  EXPECT_FALSE(verifyConsistencyProof(late.dump(), oldKey, &why));
  EXPECT_NE(why.find("not by the key in force"), std::string::npos) << why;
}

TEST(Consistency, AKeptCheckpointIsReadFromACheckpointAProofOrAnEarlierDocument) {
  Ledger L;
  std::vector<Checkpoint> cps = grow(L, {1, 2});
  Checkpoint kept;
  std::string why;
  ASSERT_TRUE(readKeptCheckpoint(checkpointJson(cps[0]).dump(), &kept, &why)) << why;
  EXPECT_TRUE(sameCheckpoint(kept, cps[0]));
  ojson proof = {{"format", "kelisim-proof/1"}, {"checkpoint", checkpointJson(cps[1])}};
  ASSERT_TRUE(readKeptCheckpoint(proof.dump(), &kept, &why)) << why;
  EXPECT_TRUE(sameCheckpoint(kept, cps[1]));
  ASSERT_TRUE(readKeptCheckpoint(documentOf(L, cps[0], cps[1]), &kept, &why)) << why;
  EXPECT_TRUE(sameCheckpoint(kept, cps[1])) << "an earlier document's newer checkpoint";
  EXPECT_FALSE(sameCheckpoint(cps[0], cps[1]));
  // The same tree signed again (a later at): not the same checkpoint, the same tree.
  Checkpoint again = L.signer->checkpoint(cps[0].seq, cps[0].head, cps[0].at + 1, cps[0].root);
  EXPECT_FALSE(sameCheckpoint(again, cps[0]));
  EXPECT_TRUE(sameTree(again, cps[0]));
  EXPECT_FALSE(sameTree(cps[0], cps[1]));
  EXPECT_FALSE(sameTree(L.signer->checkpoint(cps[0].seq, cps[0].head, cps[0].at), cps[0])) << "no root, no tree";
  EXPECT_FALSE(readKeptCheckpoint("{\"seq\":1}", &kept, &why));
  EXPECT_NE(why.find("neither a checkpoint"), std::string::npos) << why;
  EXPECT_FALSE(readKeptCheckpoint("[]", &kept, &why));
}

}  // namespace
}  // namespace server
}  // namespace kelisim
