// ledger/views: the operator's view of a record and the statistics, on real rows of a real
// SQLite ledger, from events the core itself made valid (ops_fixture.h).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger/views.h"
#include "ops_fixture.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::at;
using ops_test::Ledger;
using ops_test::Visitor;

/** A visitor who accepted all of smartaqkol v1 (2026-11-10), then met v2 (published
 *  2026-11-20T10:00+05:00, implicit rule, 7 days). With `notice`, the update notice is shown
 *  on 2026-11-21 (display + the core's notice-shown entry); on 2026-11-29 the page loads
 *  again and the core accepts v2 implicitly. Returns the seqs of the notice display (0 when
 *  none) and of the implicit acceptance. */
std::pair<int64_t, int64_t> implicitUpdate(Ledger& L, Visitor& v, bool notice) {
  const PolicyVersion& v1 = L.policy("smartaqkol", "1");
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  int64_t t0 = at("2026-11-10T09:00:00+05:00");
  L.nowMs = t0 + 500;
  L.ingest({L.display(v, v1, "banner", t0), L.press(v, v1, Op::AcceptAll, t0 + 4000)});
  int64_t noticeSeq = 0;
  if (notice) {
    int64_t t1 = at("2026-11-21T12:00:00+05:00");
    Decision d;
    EXPECT_TRUE(L.load(v, v2, t1, &d).is_null());
    EXPECT_EQ(d.action, Action::UpdateNotice);
    L.nowMs = t1 + 300;
    ojson shown = L.display(v, v2, "update-notice", t1, {{"title", "Политика обновлена"}, {"text", "…"}},
                            "update-pending", isoUtc(d.deadlineMs));
    noticeSeq = L.ingest({shown, L.press(v, v2, Op::NoticeShown, t1 + 10)})[0];
  }
  int64_t t2 = at("2026-11-29T08:00:00+05:00");
  ojson implicit = L.load(v, v2, t2);
  EXPECT_FALSE(implicit.is_null()) << "the core accepts v2 implicitly after the deadline";
  L.nowMs = t2 + 200;
  int64_t acceptSeq = L.ingest({implicit})[0];
  return {noticeSeq, acceptSeq};
}

TEST(Views, ImplicitAcceptanceRestsOnItsUpdateNoticeAndTheCoreDeadline) {
  Ledger L;
  Visitor v;
  auto [noticeSeq, acceptSeq] = implicitUpdate(L, v, true);
  RecordView view = L.view(v.recordId);
  ASSERT_EQ(view.implicit.size(), 1u);
  const ImplicitAcceptance& a = view.implicit[0];
  EXPECT_EQ(a.seq, acceptSeq);
  EXPECT_EQ(a.noticeSeq, noticeSeq);
  EXPECT_EQ(a.noticeAtMs, at("2026-11-21T12:00:00+05:00"));
  // DESIGN.md: published 2026-11-20 +05:00, 7 days → 2026-11-28T00:00+05:00.
  EXPECT_EQ(a.deadlineMs, at("2026-11-28T00:00:00+05:00"));
  EXPECT_TRUE(a.afterDeadline);
  EXPECT_TRUE(a.flags.empty());
  EXPECT_TRUE(view.chainOk) << view.chainGaps.dump();
  EXPECT_TRUE(view.sealsOk);
  EXPECT_TRUE(view.unknownPolicies.empty());
  EXPECT_TRUE(view.valid());

  ojson j = view.toJson();
  EXPECT_EQ(j["recordId"], v.recordId);
  ASSERT_EQ(j["events"].size(), 5u);  // banner, accept-all, update-notice, notice-shown, accept-update
  EXPECT_EQ(j["events"][0]["op"], "banner");
  EXPECT_EQ(j["events"][2]["display"]["kind"], "update-notice");
  EXPECT_EQ(j["events"][4]["op"], "accept-update");
  EXPECT_EQ(j["events"][4]["method"], "implicit");
  for (size_t i = 1; i < j["events"].size(); ++i) EXPECT_LT(j["events"][i - 1]["seq"], j["events"][i]["seq"]);
  EXPECT_EQ(j["state"]["version"], "2");
  EXPECT_EQ(j["state"]["method"], "implicit");
  EXPECT_EQ(j["state"]["choices"].dump(), R"({"necessary":true,"marketing":true})");
  const ojson& imp = j["verification"]["implicitAcceptances"][0];
  EXPECT_EQ(imp["notice"]["seq"], noticeSeq);
  EXPECT_EQ(imp["deadlineIso"], "2026-11-27T19:00:00.000Z");
  EXPECT_EQ(j["verification"]["valid"], true);
}

TEST(Views, ImplicitAcceptanceWithoutANoticeDisplayIsFlagged) {
  Ledger L;
  Visitor v;
  implicitUpdate(L, v, false);
  RecordView view = L.view(v.recordId);
  ASSERT_EQ(view.implicit.size(), 1u);
  EXPECT_EQ(view.implicit[0].noticeSeq, 0);
  EXPECT_TRUE(view.implicit[0].afterDeadline);  // the core accepted after the deadline all the same
  EXPECT_EQ(view.implicit[0].flags, std::vector<std::string>{"implicit-without-notice"});
  EXPECT_TRUE(view.chainOk);
  EXPECT_FALSE(view.valid());
  ojson j = view.toJson();
  EXPECT_EQ(j["verification"]["valid"], false);
  EXPECT_TRUE(j["verification"]["implicitAcceptances"][0]["notice"].is_null());
  EXPECT_EQ(j["verification"]["implicitAcceptances"][0]["flags"][0], "implicit-without-notice");
}

TEST(Views, ANoticeOfAnotherRecordOrShownLaterDoesNotCount) {
  Ledger L;
  Visitor v, other;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  implicitUpdate(L, v, false);
  // Another visitor saw the v2 notice; and this visitor's notice display arrives stamped after
  // the acceptance: neither is what the acceptance rests on.
  L.ingest({L.display(other, v2, "update-notice", at("2026-11-21T12:00:00+05:00"))});
  L.ingest({L.display(v, v2, "update-notice", at("2026-11-30T12:00:00+05:00"))});
  RecordView view = L.view(v.recordId);
  ASSERT_EQ(view.implicit.size(), 1u);
  EXPECT_EQ(view.implicit[0].noticeSeq, 0);
  EXPECT_EQ(view.implicit[0].flags, std::vector<std::string>{"implicit-without-notice"});
}

TEST(Views, AGapInTheVisitorsChainIsNamed) {
  Ledger L;
  Visitor v;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  int64_t t = at("2026-12-01T10:00:00+05:00");
  ojson first = L.press(v, v2, Op::AcceptAll, t);
  Choices off;
  off.push_back({Id("marketing"), false});
  ojson lost = L.press(v, v2, Op::Set, t + 60000, off);  // never reaches the ledger
  ojson third = L.press(v, v2, Op::Withdraw, t + 120000);
  std::vector<int64_t> seqs = L.ingest({first, third});
  RecordView view = L.view(v.recordId);
  EXPECT_FALSE(view.chainOk);
  ASSERT_EQ(view.chainGaps.size(), 1u);
  EXPECT_EQ(view.chainGaps[0]["seq"], seqs[1]);
  EXPECT_EQ(view.chainGaps[0]["prevHash"], lost["event"]["hash"]);
  EXPECT_EQ(view.chainGaps[0]["expected"], first["event"]["hash"]);
  EXPECT_FALSE(view.valid());
  EXPECT_EQ(view.toJson()["state"]["op"], "withdraw");
}

TEST(Views, AnEditedRowFailsItsSeal) {
  Ledger L;
  Visitor v;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  std::vector<int64_t> seqs = L.ingest({L.display(v, v2, "banner", at("2026-12-01T10:00:00+05:00")),
                                        L.press(v, v2, Op::RejectAll, at("2026-12-01T10:00:05+05:00"))});
  EXPECT_TRUE(L.view(v.recordId).sealsOk);
  // Edit the stored row behind the server's back, through a connection of our own.
  sqlite3* db;
  ASSERT_EQ(sqlite3_open((L.dir / "ledger.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  std::string sql = "UPDATE events SET body = replace(body, 'reject-all', 'accept-all') WHERE seq = " + std::to_string(seqs[1]);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_changes(db), 1);
  sqlite3_close(db);
  RecordView view = L.view(v.recordId);
  EXPECT_FALSE(view.sealsOk);
  EXPECT_EQ(view.badSeals, std::vector<int64_t>{seqs[1]});
  EXPECT_FALSE(view.valid());
}

TEST(Views, UnknownPoliciesAreListed) {
  Ledger L;
  Visitor v;
  PolicyVersion fake = L.policy("smartaqkol", "2");
  fake.id = "nonesuch";
  L.ingest({L.display(v, fake, "banner", at("2026-12-01T10:00:00+05:00"))});
  RecordView view = L.view(v.recordId);
  ASSERT_EQ(view.unknownPolicies.size(), 1u);
  EXPECT_EQ(view.unknownPolicies[0]["id"], "nonesuch");
  EXPECT_EQ(view.events[0]["flags"][0], "unknown-policy");
}

TEST(Views, StatsCountDecisionsPerDayByMethodAndRatesPerCategory) {
  Ledger L;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  int64_t day1 = at("2026-12-01T10:00:00Z"), day3 = at("2026-12-03T10:00:00Z");
  Visitor a, b, c, d;
  L.nowMs = day1;
  L.ingest({L.display(a, v2, "banner", day1), L.press(a, v2, Op::AcceptAll, day1), L.press(b, v2, Op::RejectAll, day1)});
  Choices on;
  on.push_back({Id("marketing"), true});
  L.nowMs = day3;
  L.ingest({L.press(c, v2, Op::Set, day3, on), L.press(a, v2, Op::Withdraw, day3), L.press(d, v2, Op::AcceptAll, day3)});
  Visitor e;
  implicitUpdate(L, e, true);  // Nov 10 accept-all, Nov 21 notice, Nov 29 implicit: outside the range but day 11-29

  std::vector<Row> rows;
  ASSERT_TRUE(L.store->rowsByTime(0, INT64_MAX / 2, &rows).ok());
  ojson s = buildStats(rows, at("2026-11-29T00:00:00Z"), at("2026-12-04T00:00:00Z"));
  ASSERT_EQ(s["days"].size(), 5u);  // 11-29 … 12-03, empty days too
  EXPECT_EQ(s["days"][0]["day"], "2026-11-29");
  EXPECT_EQ(s["days"][0]["counts"]["implicit"], 1);
  EXPECT_EQ(s["days"][1]["counts"].dump(),
            R"({"accept-all":0,"reject-all":0,"custom":0,"accept-update":0,"implicit":0,"withdrawn":0})");
  EXPECT_EQ(s["days"][2]["day"], "2026-12-01");
  EXPECT_EQ(s["days"][2]["counts"]["accept-all"], 1);
  EXPECT_EQ(s["days"][2]["counts"]["reject-all"], 1);
  EXPECT_EQ(s["days"][4]["counts"]["custom"], 1);
  EXPECT_EQ(s["days"][4]["counts"]["withdrawn"], 1);
  EXPECT_EQ(s["days"][4]["counts"]["accept-all"], 1);
  EXPECT_EQ(s["totals"]["accept-all"], 2);
  EXPECT_EQ(s["totals"]["implicit"], 1);
  // Decisions in range: implicit (marketing on: carried over from accept-all), accept-all,
  // reject-all, set on, withdraw, accept-all → marketing on in 4 of 6; necessary always on.
  ASSERT_EQ(s["categories"].size(), 2u);
  EXPECT_EQ(s["categories"][0]["id"], "necessary");
  EXPECT_EQ(s["categories"][0]["rate"], 1.0);
  EXPECT_EQ(s["categories"][1]["id"], "marketing");
  EXPECT_EQ(s["categories"][1]["on"], 4);
  EXPECT_EQ(s["categories"][1]["total"], 6);
}

TEST(Views, StatsMethodNames) {
  EXPECT_EQ(statsMethod("set", "explicit"), "custom");
  EXPECT_EQ(statsMethod("accept-update", "implicit"), "implicit");
  EXPECT_EQ(statsMethod("accept-update", "explicit"), "accept-update");
  EXPECT_EQ(statsMethod("withdraw", "explicit"), "withdrawn");
  EXPECT_EQ(statsMethod("notice-shown", "explicit"), "");
  EXPECT_EQ(isoUtc(1796551200123), "2026-12-06T10:00:00.123Z");
}

}  // namespace
}  // namespace server
}  // namespace kelisim
