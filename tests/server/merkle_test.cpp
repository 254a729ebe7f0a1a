// ledger/merkle.cpp with the stored Merkle blocks (docs/ledger.md §4.4; migration 003), on
// SQLite and on the fixture PostgreSQL: paths built from blocks are the paths built from rows,
// for tree sizes on and around block boundaries, with every block stored, some or none; the
// writer stores the blocks a checkpoint covers; an edited block is named by verify and refused
// by the proof and consistency routes; a ledger from before the table fills it once. Blocks of
// 4 leaves, so that a few dozen rows span several.
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/proof.h"
#include "ledger/verify.h"
#include "ops_fixture.h"
#include "server_test_util.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::Ledger;
using ops_test::Served;
using ops_test::Visitor;

constexpr int64_t kB = 4;

/** n visitors, a banner display and a reject-all each (2n rows); their record ids. */
std::vector<std::string> visitors(Ledger& L, int n) {
  const PolicyVersion& pv = L.policy("smartaqkol", "2");
  ojson events = ojson::array();
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    Visitor v;
    L.nowMs += 1000;
    events.push_back(L.display(v, pv, "banner", L.nowMs - 500));
    events.push_back(L.press(v, pv, Op::RejectAll, L.nowMs - 400));
    ids.push_back(v.recordId);
  }
  L.ingest(events);
  return ids;
}

/** Raw SQL on the ledger's database, behind the server's back. */
void tamper(Ledger& L, const std::string& sql) {
  if (L.pg) ASSERT_EQ(testing_util::pgExec(L.pg->uri(), sql), "") << sql;
  else ASSERT_EQ(testutil::rawSql((L.dir / "ledger.db").string(), sql), "") << sql;
}

/** The leaf hashes of every row, read once: the test's oracle builds range hashes from them
 *  with the core's frontier, the way rangeHashes did before the blocks. */
std::vector<std::string> leavesOf(Store& store) {
  std::vector<Row> rows;
  EXPECT_TRUE(store.rowsBySeq(1, 0, 1 << 20, &rows).ok());
  std::vector<std::string> leaves;
  for (const Row& r : rows) leaves.push_back(ledger::merkleLeaf(r.rowHash));
  return leaves;
}

std::vector<std::string> oracle(const std::vector<std::string>& leaves,
                                const std::vector<std::pair<uint64_t, uint64_t>>& ranges) {
  std::vector<std::string> out;
  for (auto [b, e] : ranges) {
    ledger::MerkleFrontier t;
    for (uint64_t i = b; i < e; ++i) t.push(leaves[i]);
    out.push_back(t.root());
  }
  return out;
}

/** Every inclusion path and consistency path of trees of n rows, n on and around block
 *  boundaries up to the head, as the store gives them (blocks of kB, pages of 3 rows) and as
 *  the oracle does; and each verifies against the root of its tree. */
void expectPathsFromBlocksAreThePathsFromRows(Ledger& L, const std::string& when) {
  std::vector<std::string> leaves = leavesOf(*L.store);
  for (uint64_t n : {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 20, 23, 24, 31, 32, 33, 40}) {
    if (n > leaves.size()) break;
    ledger::MerkleFrontier tree;
    for (uint64_t i = 0; i < n; ++i) tree.push(leaves[i]);
    for (uint64_t m = 0; m < n; ++m) {
      std::map<int64_t, std::vector<std::string>> paths;
      StoreError e = inclusionPaths(*L.store, {int64_t(m + 1)}, int64_t(n), &paths, 3, kB);
      ASSERT_TRUE(e.ok()) << e.message;
      ASSERT_EQ(paths[int64_t(m + 1)], oracle(leaves, ledger::inclusionRanges(m, n)))
          << when << ": leaf " << m << " in a tree of " << n;
      EXPECT_TRUE(ledger::verifyInclusion(m, n, leaves[m], paths[int64_t(m + 1)], tree.root()));
      if (m == 0) continue;
      std::vector<std::string> path;
      ASSERT_TRUE(consistencyPath(*L.store, int64_t(m), int64_t(n), &path, 3, kB).ok());
      ASSERT_EQ(path, oracle(leaves, ledger::consistencyRanges(m, n))) << when << ": " << m << " → " << n;
      ledger::MerkleFrontier old;
      for (uint64_t i = 0; i < m; ++i) old.push(leaves[i]);
      EXPECT_TRUE(ledger::verifyConsistency(m, n, old.root(), tree.root(), path)) << m << " → " << n;
    }
  }
}

/** A proof document as a third party checks it: signature, chain and each row's Merkle path. */
bool proofVerifies(Ledger& L, const std::string& doc) {
  std::string why;
  bool ok = verifyProof(doc, L.signer->publicKeyHex(), &why);
  EXPECT_TRUE(ok) << why;
  EXPECT_NE(doc.find("\"inclusion\""), std::string::npos) << "the proof carries no Merkle paths";
  return ok;
}

class MerkleBlocksOn : public ::testing::TestWithParam<std::string> {};

TEST_P(MerkleBlocksOn, PathsFromBlocksAreThePathsFromRows) {
  Ledger L(GetParam(), kB);
  visitors(L, 20);  // 40 rows: blocks 0..9
  int64_t last = 0;
  expectPathsFromBlocksAreThePathsFromRows(L, "no block stored");
  // Some blocks (0..4, rows 1..20 less the partial one), then every one.
  ASSERT_TRUE(storeMerkleBlocks(*L.store, 22, kB).ok());
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 4);
  expectPathsFromBlocksAreThePathsFromRows(L, "blocks 0..4 stored");
  ASSERT_TRUE(storeMerkleBlocks(*L.store, 40, kB).ok());
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 9);
  expectPathsFromBlocksAreThePathsFromRows(L, "every block stored");
  // A block deleted in the middle: its rows stand in for it.
  tamper(L, "DELETE FROM merkle_blocks WHERE block = 3");
  expectPathsFromBlocksAreThePathsFromRows(L, "block 3 deleted");
}

TEST_P(MerkleBlocksOn, TheStoreKeepsBlocksBySizeAndNumber) {
  Ledger L(GetParam(), kB);
  int64_t last = 7;
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, -1);
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
  ASSERT_TRUE(L.store->addMerkleBlocks({{kB, 0, a}, {kB, 1, b}, {8, 0, c}}).ok());
  // A block already stored is kept as it was.
  ASSERT_TRUE(L.store->addMerkleBlocks({{kB, 1, c}, {kB, 2, c}}).ok());
  std::vector<MerkleBlock> got;
  ASSERT_TRUE(L.store->merkleBlocks(kB, 1, 0, &got).ok());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].block, 1);
  EXPECT_EQ(got[0].hash, b);
  EXPECT_EQ(got[1].block, 2);
  ASSERT_TRUE(L.store->merkleBlocks(kB, 0, 2, &got).ok());
  EXPECT_EQ(got.size(), 2u);
  ASSERT_TRUE(L.store->merkleBlocks(0, 0, 0, &got).ok());
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got.back().leaves, 8);
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 2);
}

TEST_P(MerkleBlocksOn, TheWriterStoresTheBlocksACheckpointCovers) {
  Ledger L(GetParam(), kB);
  visitors(L, 5);  // rows 1..10
  ASSERT_TRUE(L.writer->checkpointIfMoved().ok());
  int64_t last = 0;
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 1);  // rows 1..8; rows 9..10 are not a whole block yet
  visitors(L, 4);      // rows 11..18
  ASSERT_TRUE(L.writer->checkpointIfMoved().ok());
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 3);
  std::vector<std::string> leaves = leavesOf(*L.store);
  std::vector<MerkleBlock> stored;
  ASSERT_TRUE(L.store->merkleBlocks(kB, 0, 0, &stored).ok());
  ASSERT_EQ(stored.size(), 4u);
  for (const MerkleBlock& b : stored)
    EXPECT_EQ(b.hash, oracle(leaves, {{uint64_t(b.block * kB), uint64_t((b.block + 1) * kB)}})[0]) << b.block;
  EXPECT_TRUE(verifyStore(*L.store, L.signer->publicKeyHex()).valid);
}

TEST_P(MerkleBlocksOn, AnEditedBlockIsNamedByVerifyAndRefusedByTheRoutes) {
  Ledger L(GetParam(), kB);
  std::vector<std::string> ids = visitors(L, 1);  // rows 1..2
  L.checkpoint();                                  // seq 2
  visitors(L, 9);                                  // rows 3..20
  L.checkpoint();                                  // seq 20: blocks 0..4
  Served s(L.app);
  httplib::Client c = s.client();
  httplib::Headers auth = {{"Authorization", "Bearer " + L.app.adminToken}};
  const std::string proofUrl = "/v1/proof/" + ids[0];
  // Untouched: a proof and a consistency proof, both verifying.
  auto proof = c.Get(proofUrl.c_str(), auth);
  ASSERT_EQ(proof->status, 200) << proof->body;
  EXPECT_TRUE(proofVerifies(L, proof->body));
  ASSERT_EQ(c.Get("/v1/consistency?from=2&to=20", auth)->status, 200);
  EXPECT_TRUE(verifyStore(*L.store, L.signer->publicKeyHex()).valid);

  // Block 2 (rows 9..12) edited: row 1's path in the tree of 20 and the path from 2 to 20
  // both take it (as part of leaves [8, 16)).
  tamper(L, "UPDATE merkle_blocks SET hash = '" + std::string(64, 'e') + "' WHERE leaves = 4 AND block = 2");
  VerifyResult v = verifyStore(*L.store, L.signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.firstBadSeq, 9);
  EXPECT_NE(v.message.find("Merkle block 2 (rows 9..12"), std::string::npos) << v.message;
  auto refused = c.Get(proofUrl.c_str(), auth);
  EXPECT_EQ(refused->status, 409) << refused->body;
  EXPECT_NE(refused->body.find("\"inconsistent\""), std::string::npos) << refused->body;
  auto inconsistent = c.Get("/v1/consistency?from=2&to=20", auth);
  EXPECT_EQ(inconsistent->status, 409) << inconsistent->body;

  // The block deleted instead: the rows stand in for it, the proof is whole again.
  tamper(L, "DELETE FROM merkle_blocks WHERE leaves = 4 AND block = 2");
  EXPECT_TRUE(verifyStore(*L.store, L.signer->publicKeyHex()).valid);
  proof = c.Get(proofUrl.c_str(), auth);
  ASSERT_EQ(proof->status, 200) << proof->body;
  EXPECT_TRUE(proofVerifies(L, proof->body));

  // A block stored beyond the rows (written by hand): named too.
  tamper(L, "INSERT INTO merkle_blocks (leaves, block, hash) VALUES (4, 9, '" + std::string(64, 'a') + "')");
  v = verifyStore(*L.store, L.signer->publicKeyHex());
  EXPECT_FALSE(v.valid);
  EXPECT_NE(v.message.find("Merkle block 9 (rows 37..40, blocks of 4): lies beyond the last row 20"),
            std::string::npos)
      << v.message;
}

TEST_P(MerkleBlocksOn, ALedgerFromBeforeTheBlocksFillsThemOnceAndStillProves) {
  Ledger L(GetParam(), kB);
  std::vector<std::string> ids = visitors(L, 9);  // rows 1..18
  L.checkpoint();
  // As a ledger migrated to 003 finds itself: checkpoints with roots, no block.
  tamper(L, "DELETE FROM merkle_blocks");
  expectPathsFromBlocksAreThePathsFromRows(L, "before the fill");
  // A server started on it fills the blocks the newest checkpoint covers, without a new row.
  Writer w(*L.store, *L.signer, L.app.now, 3600);
  w.setMerkleBlockLeaves(kB);
  ASSERT_TRUE(w.start().ok());
  ASSERT_TRUE(w.checkpointIfMoved().ok());
  int64_t last = -1;
  ASSERT_TRUE(L.store->lastMerkleBlock(kB, &last).ok());
  EXPECT_EQ(last, 3);  // rows 1..16
  w.stop();
  EXPECT_TRUE(verifyStore(*L.store, L.signer->publicKeyHex()).valid);
  expectPathsFromBlocksAreThePathsFromRows(L, "after the fill");
  Served s(L.app);
  auto proof = s.client().Get(("/v1/proof/" + ids[0]).c_str(), {{"Authorization", "Bearer " + L.app.adminToken}});
  ASSERT_EQ(proof->status, 200) << proof->body;
  EXPECT_TRUE(proofVerifies(L, proof->body));
}

INSTANTIATE_TEST_SUITE_P(Engines, MerkleBlocksOn, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace server
}  // namespace kelisim
