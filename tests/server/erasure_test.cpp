// ledger/erasure: erasure of one record and retention by age, on a real SQLite ledger with a
// clock the test controls (ops_fixture.h). Afterwards the whole ledger still verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "ledger/erasure.h"
#include "ledger/verify.h"
#include "ops_fixture.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::at;
using ops_test::Ledger;
using ops_test::Visitor;

std::vector<Row> allRows(Ledger& L) {
  std::vector<Row> rows;
  EXPECT_TRUE(L.store->rowsBySeq(1, 0, 1000000, &rows).ok());
  return rows;
}

/** Whether any column of any row still holds `text`. */
bool anywhere(const std::vector<Row>& rows, const std::string& text) {
  for (const Row& r : rows) {
    for (const std::string* s : {&r.eventKey, &r.body, &r.personalHash, &r.rowHash})
      if (s->find(text) != std::string::npos) return true;
    if (r.recordId && r.recordId->find(text) != std::string::npos) return true;
    if (r.personal && r.personal->find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Erasure, WipesTheRecordsPersonalFieldsAppendsAnErasureRowAndVerifyStaysValid) {
  Ledger L;
  Visitor gone, kept;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  int64_t t = at("2026-12-01T10:00:00+05:00");
  L.ingest({L.display(gone, v2, "banner", t), L.press(gone, v2, Op::AcceptAll, t + 1000),
            L.display(kept, v2, "banner", t), L.press(kept, v2, Op::RejectAll, t + 2000)});
  L.checkpoint();
  ASSERT_TRUE(anywhere(allRows(L), gone.recordId));

  L.nowMs = at("2026-12-05T10:00:00Z");
  ErasureResult r = eraseRecord(L.app, gone.recordId, L.nowMs);
  ASSERT_TRUE(r.error.ok()) << r.error.message;
  EXPECT_EQ(r.erased, 2);
  EXPECT_EQ(r.seq, 5);

  std::vector<Row> rows = allRows(L);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_FALSE(anywhere(rows, gone.recordId)) << "the record id (and the record string) are gone";
  for (int i : {0, 1}) {
    EXPECT_FALSE(rows[i].recordId.has_value());
    EXPECT_FALSE(rows[i].personal.has_value());
    EXPECT_EQ(rows[i].erasedAt, L.nowMs);
  }
  EXPECT_EQ(rows[2].recordId, kept.recordId) << "another visitor's rows are untouched";
  EXPECT_TRUE(rows[3].personal.has_value());
  const Row& e = rows[4];
  EXPECT_EQ(e.kind, "erasure");
  EXPECT_FALSE(e.recordId.has_value());
  ojson body = ojson::parse(e.body);
  EXPECT_EQ(body["reason"], "request");
  EXPECT_EQ(body["count"], 2);
  EXPECT_EQ(body["at"], L.nowMs);

  std::vector<Row> left;
  ASSERT_TRUE(L.store->rowsOfRecord(gone.recordId, &left).ok());
  EXPECT_TRUE(left.empty());
  VerifyResult v = verifyStore(*L.store, L.signer->publicKeyHex());
  EXPECT_TRUE(v.valid) << v.firstBadSeq << ": " << v.message;
  EXPECT_EQ(v.rows, 5);

  // Erasing again finds nothing and writes nothing.
  ErasureResult again = eraseRecord(L.app, gone.recordId, L.nowMs);
  EXPECT_TRUE(again.error.ok());
  EXPECT_EQ(again.erased, 0);
  EXPECT_EQ(again.seq, 0);
  EXPECT_EQ(allRows(L).size(), 5u);
}

TEST(Erasure, RetentionWipesRowsOlderThanNDaysOnTheTestsClock) {
  Ledger L;
  L.app.cfg.retentionDays = 30;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  Visitor old1, old2, recent;
  int64_t t0 = at("2026-10-01T10:00:00Z");
  L.nowMs = t0;
  L.ingest({L.press(old1, v2, Op::AcceptAll, t0), L.press(old2, v2, Op::RejectAll, t0)});
  L.nowMs = t0 + 40 * kDayMs;
  L.ingest({L.press(recent, v2, Op::AcceptAll, L.nowMs)});

  // Day 29 after the old rows: nothing is old enough yet.
  ErasureResult none = runRetention(L.app, t0 + 29 * kDayMs);
  EXPECT_TRUE(none.error.ok());
  EXPECT_EQ(none.erased, 0);
  EXPECT_EQ(allRows(L).size(), 3u);

  // Day 45: the two old rows go, the recent one (day 40) stays.
  L.nowMs = t0 + 45 * kDayMs;
  ErasureResult r = runRetention(L.app, L.nowMs);
  ASSERT_TRUE(r.error.ok()) << r.error.message;
  EXPECT_EQ(r.erased, 2);
  std::vector<Row> rows = allRows(L);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_FALSE(anywhere(rows, old1.recordId));
  EXPECT_FALSE(anywhere(rows, old2.recordId));
  EXPECT_EQ(rows[2].recordId, recent.recordId);
  EXPECT_EQ(rows[3].kind, "erasure");
  ojson body = ojson::parse(rows[3].body);
  EXPECT_EQ(body["reason"], "retention");
  EXPECT_EQ(body["count"], 2);
  EXPECT_EQ(body["records"], 2);
  EXPECT_EQ(body["before"], L.nowMs - 30 * kDayMs);

  // The next run (an hour later) finds nothing: the erasure row itself holds nothing personal.
  ErasureResult next = runRetention(L.app, L.nowMs + 3600 * 1000);
  EXPECT_EQ(next.erased, 0);
  EXPECT_EQ(allRows(L).size(), 4u);

  L.checkpoint();
  VerifyResult v = verifyStore(*L.store, L.signer->publicKeyHex());
  EXPECT_TRUE(v.valid) << v.firstBadSeq << ": " << v.message;
}

TEST(Erasure, RetentionIsOffWithoutRetentionDays) {
  Ledger L;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  Visitor v;
  L.nowMs = at("2020-01-01T00:00:00Z");
  L.ingest({L.press(v, v2, Op::AcceptAll, L.nowMs)});
  ErasureResult r = runRetention(L.app, at("2026-12-01T00:00:00Z"));
  EXPECT_EQ(r.erased, 0);
  std::vector<Row> rows = allRows(L);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].recordId, v.recordId);
}

TEST(Erasure, RetentionTimerRunsAtStartAndThenEachPeriod) {
  Ledger L;
  L.app.cfg.retentionDays = 1;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  Visitor a, b;
  int64_t t0 = at("2026-12-01T10:00:00Z");
  std::atomic<int64_t> clock{t0};
  L.app.now = [&clock] { return clock.load(); };
  L.nowMs = t0;
  L.ingest({L.press(a, v2, Op::AcceptAll, t0)});
  L.nowMs = t0 + 2 * kDayMs;
  L.ingest({L.press(b, v2, Op::AcceptAll, t0 + 2 * kDayMs)});
  clock = t0 + 2 * kDayMs;  // a's row is 2 days old, b's is new
  auto erasures = [&] {
    int n = 0;
    for (const Row& r : allRows(L)) n += r.kind == "erasure";
    return n;
  };
  auto waitFor = [&](int n) {
    for (int i = 0; i < 500 && erasures() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return erasures();
  };
  RetentionTimer timer(L.app, 50);
  timer.start();
  EXPECT_EQ(waitFor(1), 1) << "the first run is at start";
  std::vector<Row> rows = allRows(L);
  EXPECT_FALSE(rows[0].recordId.has_value());
  EXPECT_EQ(rows[1].recordId, b.recordId);
  clock = t0 + 4 * kDayMs;  // now b's row is old too: a later tick erases it
  EXPECT_EQ(waitFor(2), 2);
  timer.stop();
  EXPECT_FALSE(allRows(L)[1].recordId.has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(erasures(), 2) << "nothing more to erase, and stopped";
}

}  // namespace
}  // namespace server
}  // namespace kelisim
