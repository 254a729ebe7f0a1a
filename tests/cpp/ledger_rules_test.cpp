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
  EXPECT_EQ(ledger::rotationMessage(12, "ab", 1700000000000, "k1", "k2"),
            "kelisim-ledger-key-rotation/1\n12\nab\n1700000000000\nk1\nk2");
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
