// The core's rules the ledger server checks events with: entryHash (the history chain),
// fromName (wire names back to enums), and the ledger's own hash rules (wasm/core/ledger.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/consent.h"
#include "core/ledger.h"
#include "core/sha256.h"

using namespace kelisim;

namespace {

Manifest demoManifest() {
  Manifest m;
  m.policyId = "demo";
  m.version = "1";
  m.bodyHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  m.publishedAtMs = 1749538800000;
  m.offsetMinutes = 300;
  m.categories.push_back({"necessary", true, false});
  m.categories.push_back({"analytics", false, false});
  return m;
}

}  // namespace

TEST(LedgerRules, EntryHashIsTheHashApplyWrites) {
  Manifest m = demoManifest();
  ApplyInput in;
  in.op = Op::AcceptAll;
  in.newId = "Rec0rdId_1";
  ApplyResult r;
  ASSERT_TRUE(apply(m, "", 1749538900000, {}, in, &r).ok());
  EXPECT_EQ(entryHash(r.entry).view(), r.entry.hash.view());
  // The rule spelled out: SHA-256(prevHash "\n" canonical()).
  EXPECT_EQ(std::string(entryHash(r.entry).view()), sha256_hex(std::string(r.entry.prevHash.view()) + "\n" + r.entry.canonical().str()));
  // Any field changed → another hash (what a forged event would need to get past).
  HistoryEntry e = r.entry;
  e.choices[1].on = !e.choices[1].on;
  EXPECT_NE(entryHash(e).view(), r.entry.hash.view());
  e = r.entry;
  e.atMs += 1;
  EXPECT_NE(entryHash(e).view(), r.entry.hash.view());
  e = r.entry;
  e.prevHash = "0000000000000000000000000000000000000000000000000000000000000000";
  EXPECT_NE(entryHash(e).view(), r.entry.hash.view());
}

TEST(LedgerRules, SameChoiceSameMillisecondTwoRecordsTwoEventKeys) {
  // Two visitors accept everything in the same millisecond: identical history entries (the
  // entry hash does not cover the record id), so the ledger keys events by record id too.
  Manifest m = demoManifest();
  ApplyInput a, b;
  a.op = b.op = Op::AcceptAll;
  a.newId = "VisitorAAAA";
  b.newId = "VisitorBBBB";
  ApplyResult ra, rb;
  ASSERT_TRUE(apply(m, "", 1749538900000, {}, a, &ra).ok());
  ASSERT_TRUE(apply(m, "", 1749538900000, {}, b, &rb).ok());
  ASSERT_EQ(ra.entry.hash.view(), rb.entry.hash.view());
  std::string ka = ledger::eventKey(ra.record.id.view(), ra.entry.hash.view());
  std::string kb = ledger::eventKey(rb.record.id.view(), rb.entry.hash.view());
  EXPECT_NE(ka, kb);
  EXPECT_EQ(ka, ledger::eventKey("VisitorAAAA", ra.entry.hash.view()));  // the same event twice: one key
  EXPECT_EQ(ka.size(), 64u);
}

TEST(LedgerRules, FromNameReadsEveryWireName) {
  for (Op op : {Op::AcceptAll, Op::RejectAll, Op::Set, Op::Withdraw, Op::AcceptUpdate, Op::NoticeShown}) {
    Op back = Op::AcceptAll;
    ASSERT_TRUE(fromName(name(op), &back)) << name(op);
    EXPECT_EQ(back, op);
  }
  Method me = Method::Explicit;
  EXPECT_TRUE(fromName("implicit", &me));
  EXPECT_EQ(me, Method::Implicit);
  Op op;
  EXPECT_FALSE(fromName("accept_all", &op));
  EXPECT_FALSE(fromName("", &op));
  EXPECT_FALSE(fromName("accept-all ", &op));
}

TEST(LedgerRules, RowHashCoversEveryField) {
  const std::string base = ledger::rowHash(ledger::kGenesis, 1, 1000, "k", "p", "{}");
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(base, sha256_hex(std::string("kelisim/ledger/1\n") + ledger::kGenesis + "\n1\n1000\nk\np\n{}"));
  EXPECT_NE(base, ledger::rowHash(ledger::kGenesis, 2, 1000, "k", "p", "{}"));
  EXPECT_NE(base, ledger::rowHash(ledger::kGenesis, 1, 1001, "k", "p", "{}"));
  EXPECT_NE(base, ledger::rowHash(ledger::kGenesis, 1, 1000, "K", "p", "{}"));
  EXPECT_NE(base, ledger::rowHash(ledger::kGenesis, 1, 1000, "k", "P", "{}"));
  EXPECT_NE(base, ledger::rowHash(ledger::kGenesis, 1, 1000, "k", "p", "{ }"));
  EXPECT_NE(base, ledger::rowHash(std::string(64, '1'), 1, 1000, "k", "p", "{}"));
  EXPECT_EQ(ledger::personalHash("{\"recordId\":\"x\"}"), sha256_hex("kelisim/personal/1\n{\"recordId\":\"x\"}"));
  EXPECT_EQ(ledger::checkpointMessage(12, "ab", 1700000000000), "kelisim-ledger-checkpoint/1\n12\nab\n1700000000000");
  EXPECT_EQ(ledger::checkpointMessage(12, "ab", 1700000000000, "cd"), "kelisim-ledger-checkpoint/2\n12\nab\n1700000000000\ncd");
  EXPECT_EQ(ledger::rotationMessage(12, "ab", 1700000000000, "cd", "k1", "k2"),
            "kelisim-ledger-key-rotation/1\n12\nab\n1700000000000\ncd\nk1\nk2");
}

namespace {
std::string bytesOf(const std::string& hex) {
  std::string b;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return b;
}
/** RFC 9162 §2.1.1's MTH, straight from its recursive definition (the test's oracle). */
std::string referenceTreeHash(const std::vector<std::string>& rowHashes, size_t begin, size_t end) {
  if (end - begin == 1) return sha256_hex(std::string(1, '\0') + rowHashes[begin]);
  size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return sha256_hex("\x01" + bytesOf(referenceTreeHash(rowHashes, begin, begin + k)) +
                    bytesOf(referenceTreeHash(rowHashes, begin + k, end)));
}
}  // namespace

TEST(LedgerRules, MerkleTreeIsRfc9162sAndEveryInclusionPathVerifies) {
  std::vector<std::string> rows;
  ledger::MerkleFrontier f;
  for (int n = 1; n <= 33; ++n) {
    rows.push_back(sha256_hex("row " + std::to_string(n)));
    f.push(ledger::merkleLeaf(rows.back()));
    ASSERT_EQ(f.size(), uint64_t(n));
    ASSERT_EQ(f.root(), referenceTreeHash(rows, 0, rows.size())) << n << " leaves";
    // The stored form reads back to the same tree, and goes on the same way.
    ledger::MerkleFrontier back;
    ASSERT_TRUE(ledger::MerkleFrontier::parse(f.text(), &back)) << f.text();
    EXPECT_EQ(back.root(), f.root());
    for (uint64_t m = 0; m < uint64_t(n); ++m) {
      std::vector<std::string> path;
      for (auto [b, e] : ledger::inclusionRanges(m, n)) path.push_back(referenceTreeHash(rows, b, e));
      std::string leaf = ledger::merkleLeaf(rows[m]);
      ASSERT_TRUE(ledger::verifyInclusion(m, n, leaf, path, f.root())) << m << " of " << n;
      // Anything changed: refused.
      EXPECT_FALSE(ledger::verifyInclusion(m, n, ledger::merkleLeaf(sha256_hex("other")), path, f.root()));
      if (n > 1) EXPECT_FALSE(ledger::verifyInclusion((m + 1) % n, n, leaf, path, f.root())) << m << " of " << n;
      // (The size a path is checked with is the signed checkpoint's seq, next to its root.)
      if (n > 1)
        EXPECT_FALSE(ledger::verifyInclusion(m, n, leaf, path, referenceTreeHash(rows, 0, n - 1))) << "another tree's root";
      if (!path.empty()) {
        std::vector<std::string> bad = path;
        bad.back()[0] = bad.back()[0] == 'a' ? 'b' : 'a';
        EXPECT_FALSE(ledger::verifyInclusion(m, n, leaf, bad, f.root()));
        bad = path;
        bad.pop_back();
        EXPECT_FALSE(ledger::verifyInclusion(m, n, leaf, bad, f.root()));
      }
    }
  }
  EXPECT_EQ(ledger::MerkleFrontier().root(), "");
  ledger::MerkleFrontier g;
  for (const char* bad : {"", "3:", "x:ab", "2:" /* no hash for the 1 bit */, "1:zz", "1:ab,"})
    EXPECT_FALSE(ledger::MerkleFrontier::parse(bad, &g)) << bad;
  EXPECT_FALSE(ledger::verifyInclusion(0, 0, "", {}, ""));
}

// The server's stored Merkle blocks (docs/ledger.md §4.4) enter a range's tree as whole
// subtrees: blocks then single leaves must give the tree of the leaves one by one.
TEST(LedgerRules, PushSubtreeIsPushingItsLeaves) {
  std::vector<std::string> rows;
  for (int n = 0; n < 45; ++n) rows.push_back(sha256_hex("row " + std::to_string(n)));
  for (uint64_t block : {1, 2, 4, 8}) {
    for (size_t n = 1; n <= rows.size(); ++n) {
      ledger::MerkleFrontier f;
      size_t whole = n / block;
      for (size_t k = 0; k < whole; ++k)
        ASSERT_TRUE(f.pushSubtree(referenceTreeHash(rows, k * block, (k + 1) * block), block));
      for (size_t i = whole * block; i < n; ++i) f.push(ledger::merkleLeaf(rows[i]));
      ASSERT_EQ(f.size(), n);
      ASSERT_EQ(f.root(), referenceTreeHash(rows, 0, n)) << n << " leaves, blocks of " << block;
    }
  }
  // Not aligned, or not a power of two: refused, the tree unchanged.
  ledger::MerkleFrontier f;
  f.push(ledger::merkleLeaf(rows[0]));
  std::string root = f.root();
  EXPECT_FALSE(f.pushSubtree(referenceTreeHash(rows, 1, 3), 2));
  EXPECT_FALSE(f.pushSubtree(referenceTreeHash(rows, 1, 4), 3));
  EXPECT_FALSE(f.pushSubtree(rows[1], 0));
  EXPECT_EQ(f.size(), 1u);
  EXPECT_EQ(f.root(), root);
}

namespace {
/** RFC 9162 §2.1.4.1's SUBPROOF(m, D[begin:end], whole), straight from its recursive definition. */
void referenceSubproof(const std::vector<std::string>& rows, size_t m, size_t begin, size_t end, bool whole,
                       std::vector<std::string>* out) {
  size_t n = end - begin;
  if (m == n) {
    if (!whole) out->push_back(referenceTreeHash(rows, begin, end));
    return;
  }
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) {
    referenceSubproof(rows, m, begin, begin + k, whole, out);
    out->push_back(referenceTreeHash(rows, begin + k, end));
  } else {
    referenceSubproof(rows, m - k, begin + k, end, false, out);
    out->push_back(referenceTreeHash(rows, begin, begin + k));
  }
}
}  // namespace

TEST(LedgerRules, EveryConsistencyProofOfRfc9162VerifiesAndAnyChangeIsRefused) {
  std::vector<std::string> rows;
  for (int i = 1; i <= 34; ++i) rows.push_back(sha256_hex("row " + std::to_string(i)));
  const std::string other = referenceTreeHash({sha256_hex("other")}, 0, 1);
  for (size_t n = 1; n <= 33; ++n) {
    std::string newRoot = referenceTreeHash(rows, 0, n);
    for (size_t m = 1; m <= n; ++m) {
      std::string oldRoot = referenceTreeHash(rows, 0, m);
      std::vector<std::string> proof;
      referenceSubproof(rows, m, 0, n, true, &proof);
      // The core's ranges give the reference's hashes, in its order.
      std::vector<std::string> fromRanges;
      for (auto [b, e] : ledger::consistencyRanges(m, n)) fromRanges.push_back(referenceTreeHash(rows, b, e));
      ASSERT_EQ(fromRanges, proof) << m << " → " << n;
      ASSERT_TRUE(ledger::verifyConsistency(m, n, oldRoot, newRoot, proof)) << m << " → " << n;
      if (m == n) EXPECT_TRUE(proof.empty());
      // Each hash of the path changed: refused.
      for (size_t i = 0; i < proof.size(); ++i) {
        std::vector<std::string> bad = proof;
        bad[i][5] = bad[i][5] == 'a' ? 'b' : 'a';
        EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, newRoot, bad)) << m << " → " << n << " hash " << i;
      }
      // Another tree on either side: refused.
      EXPECT_FALSE(ledger::verifyConsistency(m, n, other, newRoot, proof)) << m << " → " << n;
      EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, other, proof)) << m << " → " << n;
      EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, referenceTreeHash(rows, 0, n + 1), proof)) << m << " → " << n;
      if (m > 1) EXPECT_FALSE(ledger::verifyConsistency(m, n, referenceTreeHash(rows, 0, m - 1), newRoot, proof));
      // The path one hash shorter or longer, at either end: refused.
      std::vector<std::string> longer = proof;
      longer.push_back(other);
      EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, newRoot, longer)) << m << " → " << n;
      longer = proof;
      longer.insert(longer.begin(), oldRoot);
      EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, newRoot, longer)) << m << " → " << n;
      if (!proof.empty()) {
        std::vector<std::string> shorter(proof.begin(), proof.end() - 1);
        EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, newRoot, shorter)) << m << " → " << n;
        shorter.assign(proof.begin() + 1, proof.end());
        EXPECT_FALSE(ledger::verifyConsistency(m, n, oldRoot, newRoot, shorter)) << m << " → " << n;
      }
      // The sizes (or the sizes and roots) swapped: refused, m > n proves nothing.
      if (m < n) {
        EXPECT_FALSE(ledger::verifyConsistency(n, m, oldRoot, newRoot, proof)) << m << " → " << n;
        EXPECT_FALSE(ledger::verifyConsistency(n, m, newRoot, oldRoot, proof)) << m << " → " << n;
        // The proof is of these sizes: checked with another old size, refused.
        EXPECT_FALSE(ledger::verifyConsistency(m + 1, n, oldRoot, newRoot, proof)) << m << " → " << n;
      }
    }
  }
  // From the empty tree: no proof (RFC 9162 §2.1.4.2 asks 0 < first).
  EXPECT_FALSE(ledger::verifyConsistency(0, 1, "", referenceTreeHash(rows, 0, 1), {}));
  EXPECT_FALSE(ledger::verifyConsistency(0, 0, "", "", {}));
  EXPECT_TRUE(ledger::consistencyRanges(0, 5).empty());
  EXPECT_TRUE(ledger::consistencyRanges(6, 5).empty());
}

namespace {

// A history entry as verifyHistory reads it: one line.
std::string line(const HistoryEntry& e) {
  std::string s = std::string(name(e.op)) + "~" + decimal(e.atMs).str() + "~" + std::string(e.version.view()) + "~" +
                  name(e.method) + "~" + choicesText(e.choices).str() + "~" +
                  (e.services.empty() ? std::string() : choicesText(e.services).str()) + "~" +
                  std::string(e.prevHash.view()) + "~" + std::string(e.hash.view());
  return s;
}

}  // namespace

TEST(LedgerRules, VerifyHistoryChecksEachHashAndLink) {
  // Three entries as apply() chains them: accept all, reject all, accept all again.
  Manifest m = demoManifest();
  std::vector<HistoryEntry> h;
  std::string record;
  for (Op op : {Op::AcceptAll, Op::RejectAll, Op::AcceptAll}) {
    ApplyInput in;
    in.op = op;
    in.newId = "Rec0rdId_1";
    std::string prev = h.empty() ? std::string() : std::string(h.back().hash.view());
    in.prevHash = prev;
    ApplyResult r;
    ASSERT_TRUE(apply(m, record, 1749538900000 + 1000 * int64_t(h.size()), {}, in, &r).ok());
    record = encodeRecord(r.record).str();
    h.push_back(r.entry);
  }
  auto text = [&](const std::vector<HistoryEntry>& v) {
    std::string s;
    for (const auto& e : v) s += line(e) + "\n";
    return s;
  };
  EXPECT_EQ(verifyHistory(""), -1);
  EXPECT_EQ(verifyHistory(text(h)), -1);
  // The store keeps the newest entries: the first kept one may point at a dropped entry.
  EXPECT_EQ(verifyHistory(text({h[1], h[2]})), -1);
  // An edited choice breaks that entry's hash; a reordered chain breaks the link.
  auto edited = h;
  edited[1].choices[1].on = !edited[1].choices[1].on;
  EXPECT_EQ(verifyHistory(text(edited)), 1);
  EXPECT_EQ(verifyHistory(text({h[0], h[2], h[1]})), 1);
  // A forged entry whose own hash holds but which does not link to the one before.
  auto forged = h;
  forged[2].prevHash = "0000000000000000000000000000000000000000000000000000000000000000";
  forged[2].hash = entryHash(forged[2]);
  EXPECT_EQ(verifyHistory(text(forged)), 2);
  // Malformed lines: a missing field, an unknown op, a '~' too many.
  EXPECT_EQ(verifyHistory(line(h[0]) + "\n" + "accept-all~1~1~explicit~necessary:1\n"), 1);
  EXPECT_EQ(verifyHistory("eat-all" + line(h[0]).substr(10)), 0);
  EXPECT_EQ(verifyHistory(line(h[0]) + "~x"), 0);
}
