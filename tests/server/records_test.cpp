// http/records.cpp, http/auth.cpp, http/admin_page.cpp over real HTTP (cpp-httplib on
// 127.0.0.1, an ephemeral port) in front of a real SQLite ledger (ops_fixture.h).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>

#include <sstream>
#include <thread>

#include "http/auth.h"
#include "ledger/consistency.h"
#include "ledger/export.h"
#include "ledger/proof.h"
#include "ledger/verify.h"
#include "ops_fixture.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::at;
using ops_test::Ledger;
using ops_test::Served;
using ops_test::Visitor;

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

ojson errorOf(const httplib::Result& r) {
  ojson j = ojson::parse(r->body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"] : ojson();
}

/** One visitor with a banner display and a reject-all; returns the record id. */
std::string oneVisitor(Ledger& L) {
  Visitor v;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  L.nowMs = at("2026-12-01T10:00:05Z");  // the server clock: stats and export go by it
  L.ingest({L.display(v, v2, "banner", at("2026-12-01T10:00:00Z")), L.press(v, v2, Op::RejectAll, at("2026-12-01T10:00:03Z"))});
  return v.recordId;
}

TEST(Records, MissingOrWrongTokenIs401AndDoesNothing) {
  Ledger L;
  std::string id = oneVisitor(L);
  Served s(L.app);
  httplib::Client c = s.client();
  const std::vector<std::string> paths = {"/v1/records/" + id, "/v1/proof/" + id, "/v1/proof/" + id + "?format=html",
                                          "/v1/export",        "/v1/stats",       "/v1/verify"};
  const std::vector<httplib::Headers> wrong = {
      {},
      bearer("nope"),
      bearer(L.app.adminToken.substr(0, L.app.adminToken.size() - 1)),  // a prefix
      bearer(L.app.adminToken + "x"),                                    // longer
      {{"Authorization", "Basic " + L.app.adminToken}},
      {{"Authorization", L.app.adminToken}},
  };
  for (const std::string& p : paths) {
    for (const httplib::Headers& h : wrong) {
      auto r = c.Get(p.c_str(), h);
      ASSERT_TRUE(r) << p;
      EXPECT_EQ(r->status, 401) << p;
      EXPECT_EQ(errorOf(r)["code"], "unauthorized") << p << ": " << r->body;
      EXPECT_TRUE(r->has_header("WWW-Authenticate"));
    }
  }
  for (const httplib::Headers& h : wrong) {
    auto r = c.Delete(("/v1/records/" + id).c_str(), h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  std::vector<Row> rows;
  ASSERT_TRUE(L.store->rowsOfRecord(id, &rows).ok());
  EXPECT_EQ(rows.size(), 2u) << "nothing was erased";
  auto ok = c.Get(("/v1/records/" + id).c_str(), bearer(L.app.adminToken));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto scheme = c.Get("/v1/stats", {{"Authorization", "bearer " + L.app.adminToken}});
  EXPECT_EQ(scheme->status, 200) << "the scheme name is case-insensitive (RFC 7235 §2.1)";
}

TEST(Records, NoConfiguredTokenMeansNoOperatorAccess) {
  Ledger L;
  L.app.adminToken = "";
  Served s(L.app);
  httplib::Client c = s.client();
  for (const httplib::Headers& h : {httplib::Headers{}, bearer(""), httplib::Headers{{"Authorization", "Bearer "}}}) {
    auto r = c.Get("/v1/stats", h);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_NE(errorOf(r)["message"].get<std::string>().find("--admin-token-file"), std::string::npos);
  }
}

TEST(Records, BearerMatchesOnlyTheWholeToken) {
  EXPECT_TRUE(bearerMatches("Bearer abc", "abc"));
  EXPECT_TRUE(bearerMatches("BEARER abc", "abc"));
  EXPECT_FALSE(bearerMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(bearerMatches("Bearer ab", "abc"));
  EXPECT_FALSE(bearerMatches("Bearer ABC", "abc"));
  EXPECT_FALSE(bearerMatches("Bearer ", ""));
  EXPECT_FALSE(bearerMatches("Bearer abc", ""));
  EXPECT_FALSE(bearerMatches("Bearerabc", "abc"));
}

class RecordsOn : public ::testing::TestWithParam<std::string> {};

TEST(Records, StatsCountTheDaysOfTheOffsetAsked) {
  // A choice at 20:00 UTC on 1 December is 01:00 on 2 December in Almaty (UTC+05:00).
  Ledger L;
  Visitor v;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  L.nowMs = at("2026-12-01T20:00:05Z");
  L.ingest({L.press(v, v2, Op::AcceptAll, at("2026-12-01T20:00:00Z"))});
  Served s(L.app);
  httplib::Client c = s.client();
  auto auth = bearer(L.app.adminToken);
  auto dayOf = [&](const std::string& query) {
    auto r = c.Get(("/v1/stats?" + query).c_str(), auth);
    EXPECT_EQ(r->status, 200) << r->body;
    ojson st = ojson::parse(r->body);
    std::string day;
    for (const ojson& d : st["days"])
      if (d["counts"]["accept-all"] == 1) day = d["day"].get<std::string>();
    return std::make_pair(day, st);
  };
  auto [utc, stUtc] = dayOf("from=2026-12-01&to=2026-12-03");
  EXPECT_EQ(utc, "2026-12-01");
  EXPECT_EQ(stUtc["tz"], "+00:00");
  auto [almaty, stAlmaty] = dayOf("from=2026-12-01&to=2026-12-03&tz=%2B05:00");
  EXPECT_EQ(almaty, "2026-12-02");
  EXPECT_EQ(stAlmaty["tz"], "+05:00");
  EXPECT_EQ(stAlmaty["from"], at("2026-12-01T00:00:00+05:00")) << "dates are midnights at that offset";
  ASSERT_EQ(stAlmaty["days"].size(), 2u);
  // West of UTC too; the default range is the 30 days up to today there.
  auto [west, stWest] = dayOf("from=2026-12-01&to=2026-12-03&tz=-03:30");
  EXPECT_EQ(west, "2026-12-01");
  auto [recent, stDefault] = dayOf("tz=%2B05:00");
  EXPECT_EQ(recent, "2026-12-02");
  EXPECT_EQ(stDefault["days"].size(), 30u);
  EXPECT_EQ(stDefault["days"].back()["day"], "2026-12-02");
  for (const char* bad : {"tz=5", "tz=%2B15:00", "tz=%2B05:60", "tz=Asia/Almaty"}) {
    auto r = c.Get((std::string("/v1/stats?") + bad).c_str(), auth);
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(errorOf(r)["code"], "bad-tz") << bad;
  }
}

TEST(Records, AProofShownToTheOperatorIsCheckedAgainstThisLedger) {
  Ledger L;
  std::string id = oneVisitor(L);
  Served s(L.app);
  httplib::Client c = s.client();
  auto auth = bearer(L.app.adminToken);
  std::string doc = c.Get(("/v1/proof/" + id).c_str(), auth)->body;
  auto check = [&](const std::string& body) {
    auto r = c.Post("/v1/proof/verify", auth, body, "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return ojson::parse(r->body);
  };
  ojson ok = check(doc);
  EXPECT_EQ(ok["valid"], true) << ok.dump();
  EXPECT_EQ(ok["recordId"], id);
  EXPECT_EQ(ok["signedBy"], L.signer->publicKeyHex());
  EXPECT_EQ(ok["checkpoint"]["stored"], true);
  // One changed character anywhere the signature covers.
  std::string edited = doc;
  size_t at = edited.find("reject-all");
  ASSERT_NE(at, std::string::npos);
  edited.replace(at, 10, "accept-all");
  ojson bad = check(edited);
  EXPECT_EQ(bad["valid"], false);
  EXPECT_NE(bad["message"].get<std::string>().find("signature"), std::string::npos) << bad.dump();
  // A valid proof of another ledger (another key): not this ledger's.
  Ledger other;
  std::string otherId = oneVisitor(other);
  std::string foreign;
  {
    Served s2(other.app);
    foreign = s2.client().Get(("/v1/proof/" + otherId).c_str(), bearer(other.app.adminToken))->body;
  }
  ojson stranger = check(foreign);
  EXPECT_EQ(stranger["valid"], false);
  EXPECT_NE(stranger["message"].get<std::string>().find("not a key of this ledger"), std::string::npos) << stranger.dump();
  EXPECT_EQ(check("not json")["valid"], false);
  // A hostile file nested a million deep: refused before parsing, the server stays up.
  ojson deep = check("{\"format\":\"kelisim-proof/1\",\"x\":" + std::string(1000000, '[') + std::string(1000000, ']') + "}");
  EXPECT_EQ(deep["valid"], false);
  EXPECT_NE(deep["message"].get<std::string>().find("nested deeper"), std::string::npos) << deep.dump();
  EXPECT_EQ(check(doc)["valid"], true);
  EXPECT_EQ(c.Post("/v1/proof/verify", doc, "application/json")->status, 401);
}

TEST(Records, AProofOfAnEarlierKeyStaysTheLedgersAfterARotation) {
  Ledger L, next;
  std::string id = oneVisitor(L);
  std::string doc;
  {
    Served s(L.app);
    doc = s.client().Get(("/v1/proof/" + id).c_str(), bearer(L.app.adminToken))->body;
  }
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*L.store, *L.signer, *next.signer, L.nowMs + 1, &r).ok());
  L.app.signer = next.signer.get();  // the server now runs with the new key
  Served s(L.app);
  auto res = s.client().Post("/v1/proof/verify", bearer(L.app.adminToken), doc, "application/json");
  ASSERT_EQ(res->status, 200);
  ojson v = ojson::parse(res->body);
  EXPECT_EQ(v["valid"], true) << v.dump();
  EXPECT_EQ(v["signedBy"], L.signer->publicKeyHex());
}

TEST(Records, AProofRightAfterTheChoiceHasACheckpointCoveringIt) {
  Ledger L;
  std::string id = oneVisitor(L);  // no checkpoint written yet
  Checkpoint latest;
  bool found = true;
  ASSERT_TRUE(L.store->latestCheckpoint(&latest, &found).ok());
  ASSERT_FALSE(found);
  Served s(L.app);
  httplib::Client c = s.client();
  auto proof = c.Get(("/v1/proof/" + id).c_str(), bearer(L.app.adminToken));
  ASSERT_EQ(proof->status, 200);
  ojson p = ojson::parse(proof->body);
  ASSERT_TRUE(p["checkpoint"].is_object()) << p["checkpoint"].dump();
  EXPECT_EQ(p["checkpoint"]["seq"], p["rows"].back()["seq"]);
  EXPECT_EQ(p["checkpoint"]["head"], p["rows"].back()["rowHash"]);
  std::string why;
  EXPECT_TRUE(verifyProof(proof->body, L.signer->publicKeyHex(), &why)) << why;
  // Asked again with nothing new: the same checkpoint, none added.
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(c.Get(("/v1/proof/" + id).c_str(), bearer(L.app.adminToken)));
  ASSERT_TRUE(L.store->checkpoints(&cps).ok());
  EXPECT_EQ(cps.size(), 1u);
}

TEST(Records, AConsistencyProofUpToNowSignsTheHeadFirst) {
  Ledger L;
  oneVisitor(L);
  L.checkpoint();  // seq 2
  oneVisitor(L);   // rows 3 and 4, no checkpoint yet
  Served s(L.app);
  httplib::Client c = s.client();
  auto r = c.Get("/v1/consistency?from=2", bearer(L.app.adminToken));
  ASSERT_EQ(r->status, 200) << r->body;
  ojson doc = ojson::parse(r->body);
  EXPECT_EQ(doc["to"]["seq"], 4) << "the rows stored since the last checkpoint are reached";
  std::string why;
  EXPECT_TRUE(verifyConsistencyProof(r->body, L.signer->publicKeyHex(), &why)) << why;
  // Asked again with nothing new: the same checkpoint, none added.
  std::vector<Checkpoint> cps;
  ASSERT_EQ(c.Get("/v1/consistency?from=2", bearer(L.app.adminToken))->status, 200);
  ASSERT_TRUE(L.store->checkpoints(&cps).ok());
  EXPECT_EQ(cps.size(), 2u);
}

TEST(Records, AConsistencyProofShownToTheOperatorIsCheckedAgainstThisLedger) {
  Ledger L, next;
  oneVisitor(L);
  L.checkpoint();  // seq 2
  oneVisitor(L);
  L.checkpoint();  // seq 4
  auto auth = bearer(L.app.adminToken);
  std::string doc;
  {
    Served s(L.app);
    doc = s.client().Get("/v1/consistency?from=2&to=4", auth)->body;
  }
  // The key rotated since the document was made: it names only the old key, and still holds.
  Checkpoint rot;
  ASSERT_TRUE(rotateKey(*L.store, *L.signer, *next.signer, L.nowMs + 1, &rot).ok());
  L.app.signer = next.signer.get();
  Served s(L.app);
  httplib::Client c = s.client();
  auto check = [&](const std::string& body) {
    auto r = c.Post("/v1/proof/verify", auth, body, "application/json");
    EXPECT_EQ(r->status, 200) << r->body;
    return ojson::parse(r->body);
  };
  ojson ok = check(doc);
  EXPECT_EQ(ok["kind"], "consistency");
  EXPECT_EQ(ok["valid"], true) << ok.dump();
  EXPECT_EQ(ok["from"], (ojson{{"seq", 2}, {"stored", true}}));
  EXPECT_EQ(ok["to"], (ojson{{"seq", 4}, {"stored", true}}));
  // One path hash changed: refused, saying why.
  ojson d = ojson::parse(doc);
  ASSERT_FALSE(d["path"].empty());
  std::string h = d["path"][0];
  h[0] = h[0] == '0' ? '1' : '0';
  d["path"][0] = h;
  ojson bad = check(d.dump());
  EXPECT_EQ(bad["valid"], false);
  EXPECT_NE(bad["message"].get<std::string>().find("path"), std::string::npos) << bad.dump();
  // A valid consistency proof of another ledger (another key): not this ledger's.
  Ledger other;
  oneVisitor(other);
  other.checkpoint();
  oneVisitor(other);
  other.checkpoint();
  std::string foreign;
  {
    Served s2(other.app);
    foreign = s2.client().Get("/v1/consistency?from=2&to=4", bearer(other.app.adminToken))->body;
  }
  std::string why;
  ASSERT_TRUE(verifyConsistencyProof(foreign, other.signer->publicKeyHex(), &why)) << why;
  ojson stranger = check(foreign);
  EXPECT_EQ(stranger["valid"], false) << stranger.dump();
  EXPECT_EQ(stranger["kind"], "consistency");
  // A proof is still a proof.
  EXPECT_EQ(check("{\"format\":\"kelisim-proof/1\"}")["kind"], "proof");
}

TEST_P(RecordsOn, RecordProofStatsExportVerifyAndErasureOverHttp) {
  Ledger L(GetParam());
  std::string id = oneVisitor(L);
  std::string other = oneVisitor(L);
  L.checkpoint();
  Served s(L.app);
  httplib::Client c = s.client();
  httplib::Headers auth = bearer(L.app.adminToken);

  auto rec = c.Get(("/v1/records/" + id).c_str(), auth);
  ASSERT_EQ(rec->status, 200);
  ojson view = ojson::parse(rec->body);
  EXPECT_EQ(view["recordId"], id);
  EXPECT_EQ(view["events"].size(), 2u);
  EXPECT_EQ(view["state"]["op"], "reject-all");
  EXPECT_EQ(view["verification"]["valid"], true);
  EXPECT_EQ(c.Get("/v1/records/UnknownRecord1", auth)->status, 404);
  auto bad = c.Get("/v1/records/bad!id", auth);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(errorOf(bad)["code"], "bad-record-id");

  auto proof = c.Get(("/v1/proof/" + id).c_str(), auth);
  ASSERT_EQ(proof->status, 200);
  std::string why;
  EXPECT_TRUE(verifyProof(proof->body, L.signer->publicKeyHex(), &why)) << why;
  auto html = c.Get(("/v1/proof/" + id + "?format=html&lang=kk").c_str(), auth);
  ASSERT_EQ(html->status, 200);
  EXPECT_EQ(html->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html->get_header_value("Content-Security-Policy").find(proofCssHashSource()), std::string::npos);
  EXPECT_NE(html->body.find("Келісімнің дәлелі"), std::string::npos);
  EXPECT_EQ(c.Get(("/v1/proof/" + id + "?format=html&lang=de").c_str(), auth)->status, 400);
  EXPECT_EQ(c.Get(("/v1/proof/" + id + "?format=pdf").c_str(), auth)->status, 400);

  auto stats = c.Get("/v1/stats?from=2026-12-01&to=2026-12-02", auth);
  ASSERT_EQ(stats->status, 200);
  ojson st = ojson::parse(stats->body);
  ASSERT_EQ(st["days"].size(), 1u);
  EXPECT_EQ(st["days"][0]["counts"]["reject-all"], 2);
  auto badTime = c.Get("/v1/stats?from=yesterday", auth);
  EXPECT_EQ(badTime->status, 400);
  EXPECT_NE(errorOf(badTime)["message"].get<std::string>().find("'from'"), std::string::npos);
  EXPECT_EQ(c.Get("/v1/stats?from=1796551200000&to=1796551200000", auth)->status, 400);

  auto exp = c.Get("/v1/export?from=2026-12-01T00:00:00Z", auth);
  ASSERT_EQ(exp->status, 200);
  std::istringstream in(exp->body);
  ExportData d;
  ASSERT_TRUE(readExport(in, &d, &why)) << why;
  EXPECT_EQ(d.rows.size(), 4u);
  EXPECT_EQ(d.checkpoints.size(), 1u);
  Verifier ver(d.publicKey, d.checkpoints, d.fromSeq, d.prevHash);
  ver.expectEnd(d.headSeq, d.headHash);
  for (const Row& r : d.rows) ver.add(r);
  VerifyResult vr = ver.finish();
  EXPECT_TRUE(vr.valid) << vr.message;

  auto del = c.Delete(("/v1/records/" + id).c_str(), auth);
  ASSERT_EQ(del->status, 200) << del->body;
  EXPECT_EQ(ojson::parse(del->body)["erased"], 2);
  EXPECT_EQ(c.Get(("/v1/records/" + id).c_str(), auth)->status, 404);
  EXPECT_EQ(c.Delete(("/v1/records/" + id).c_str(), auth)->status, 404);
  EXPECT_EQ(c.Get(("/v1/records/" + other).c_str(), auth)->status, 200);

  auto verify = c.Get("/v1/verify", auth);
  ASSERT_EQ(verify->status, 200);
  ojson v = ojson::parse(verify->body);
  EXPECT_EQ(v["valid"], true) << v.dump();
  EXPECT_EQ(v["rows"], 5);
  EXPECT_EQ(v["publicKey"], L.signer->publicKeyHex());
}

TEST_P(RecordsOn, ConsistencyBetweenTwoCheckpointsOverHttp) {
  Ledger L(GetParam());
  oneVisitor(L);
  L.checkpoint();  // seq 2
  oneVisitor(L);
  std::vector<Row> rows;
  ASSERT_TRUE(L.store->rowsBySeq(4, 5, 1, &rows).ok() && rows.size() == 1);
  // A checkpoint as servers wrote them before Merkle roots: genuinely signed, but no root.
  ASSERT_TRUE(L.store->addCheckpoint(L.signer->checkpoint(4, rows[0].rowHash, L.nowMs)).ok());
  oneVisitor(L);
  L.checkpoint();  // seq 6
  Served s(L.app);
  httplib::Client c = s.client();
  httplib::Headers auth = bearer(L.app.adminToken);
  std::string why;

  auto ok = c.Get("/v1/consistency?from=2&to=6", auth);
  ASSERT_EQ(ok->status, 200) << ok->body;
  EXPECT_TRUE(verifyConsistencyProof(ok->body, L.signer->publicKeyHex(), &why)) << why;
  ojson doc = ojson::parse(ok->body);
  EXPECT_EQ(doc["format"], "kelisim-ledger-consistency/1");
  EXPECT_EQ(doc["from"]["seq"], 2);
  EXPECT_EQ(doc["to"]["seq"], 6);
  EXPECT_EQ(doc["path"].size(), ledger::consistencyRanges(2, 6).size());
  // Without 'to': up to the newest checkpoint. The same seq twice: an empty path.
  auto latest = c.Get("/v1/consistency?from=2", auth);
  ASSERT_EQ(latest->status, 200) << latest->body;
  EXPECT_EQ(ojson::parse(latest->body)["to"]["seq"], 6);
  auto same = c.Get("/v1/consistency?from=6&to=6", auth);
  ASSERT_EQ(same->status, 200) << same->body;
  EXPECT_TRUE(ojson::parse(same->body)["path"].empty());
  EXPECT_TRUE(verifyConsistencyProof(same->body, L.signer->publicKeyHex(), &why)) << why;

  // The errors, each naming what was wrong.
  auto expectError = [&](const std::string& url, int status, const std::string& code, const std::string& words) {
    auto r = c.Get(url.c_str(), auth);
    ASSERT_TRUE(r) << url;
    EXPECT_EQ(r->status, status) << url << ": " << r->body;
    EXPECT_EQ(errorOf(r)["code"], code) << url;
    EXPECT_NE(r->body.find(words), std::string::npos) << url << ": " << r->body;
  };
  EXPECT_EQ(c.Get("/v1/consistency?from=2&to=6")->status, 401);
  expectError("/v1/consistency", 400, "missing-param", "'from' is required");
  expectError("/v1/consistency?from=two", 400, "bad-seq", "'from'");
  expectError("/v1/consistency?from=0&to=6", 400, "bad-seq", "'from'");
  expectError("/v1/consistency?from=2&to=-6", 400, "bad-seq", "'to'");
  expectError("/v1/consistency?from=6&to=2", 400, "bad-range", "is after 'to'");
  expectError("/v1/consistency?from=3&to=6", 404, "not-found", "no checkpoint at seq 3");
  expectError("/v1/consistency?from=2&to=99", 404, "not-found", "no checkpoint at seq 99");
  expectError("/v1/consistency?from=99", 404, "not-found", "no checkpoint at seq 99: the newest is at seq 6");
  expectError("/v1/consistency?from=4&to=6", 422, "no-root", "before Merkle roots");

  // Row 5 resealed behind the server's back: no document, a 409 that says why.
  std::string sql = "UPDATE events SET row_hash = '" + std::string(64, 'e') + "' WHERE seq = 5";
  if (L.pg) {
    ASSERT_EQ(testing_util::pgExec(L.pg->uri(), sql), "");
  } else {
    sqlite3* db;
    ASSERT_EQ(sqlite3_open((L.dir / "ledger.db").string().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  expectError("/v1/consistency?from=2&to=6", 409, "inconsistent", "rows or blocks were changed after they were signed");
}

INSTANTIATE_TEST_SUITE_P(Engines, RecordsOn, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

TEST(Records, VerifyRouteNamesTheFirstBadRow) {
  Ledger L;
  oneVisitor(L);
  std::string id = oneVisitor(L);
  Served s(L.app);
  httplib::Client c = s.client();
  // The body of seq 3 (the second visitor's banner display) is edited behind the server's back.
  sqlite3* db;
  ASSERT_EQ(sqlite3_open((L.dir / "ledger.db").string().c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE events SET body = replace(body, 'banner', 'bannex') WHERE seq = 3", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  ojson v = ojson::parse(c.Get("/v1/verify", bearer(L.app.adminToken))->body);
  EXPECT_EQ(v["valid"], false);
  EXPECT_EQ(v["firstBadSeq"], 3);
  ojson view = ojson::parse(c.Get(("/v1/records/" + id).c_str(), bearer(L.app.adminToken))->body);
  EXPECT_EQ(view["verification"]["seals"]["ok"], false);
  EXPECT_EQ(view["verification"]["seals"]["bad"][0], 3);
}

TEST(Records, AdminPageIsServedWithAStrictCspAndNoInlineCode) {
  Ledger L;
  Served s(L.app);
  httplib::Client c = s.client();
  auto page = c.Get("/admin");  // no token needed: the page holds no data
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  std::string csp = page->get_header_value("Content-Security-Policy");
  EXPECT_EQ(csp.rfind("default-src 'self'", 0), 0u) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  const std::string& html = page->body;
  EXPECT_NE(html.find("<script type=\"module\" src=\"/admin/admin.js\"></script>"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<style"), std::string::npos);
  EXPECT_EQ(html.find(" style="), std::string::npos);
  EXPECT_EQ(html.find(" onclick="), std::string::npos);
  auto js = c.Get("/admin/admin.js");
  ASSERT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->body.find("innerHTML"), std::string::npos) << "textContent only";
  EXPECT_EQ(c.Get("/admin/admin.css")->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(c.Get("/admin/nope.js")->status, 404);
  EXPECT_EQ(c.Get("/admin/../main.cpp")->status, 404);
}

}  // namespace
}  // namespace server
}  // namespace kelisim

namespace kelisim {
namespace server {
namespace {

/** The real store, whose rowsBySeq fails from its `failAt`-th call on (the database went away). */
class FailingReads : public testing_util::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  int calls = 0, failAt = 1 << 30;
  StoreError rowsBySeq(int64_t a, int64_t b, int64_t l, std::vector<Row>* out) override {
    if (++calls >= failAt) return StoreError{"the database went away", true};
    return ForwardingStore::rowsBySeq(a, b, l, out);
  }
};

VerifyResult verifyExportText(const std::string& text, ExportData* d) {
  std::istringstream in(text);
  std::string why;
  if (!readExport(in, d, &why)) return VerifyResult{false, 0, why};
  Verifier v(d->publicKey, d->checkpoints, d->fromSeq, d->prevHash);
  v.setKeyHistory(d->keyRotations);
  v.expectEnd(d->headSeq, d->headHash);
  for (const Row& r : d->rows) v.add(r);
  return v.finish();
}

}  // namespace

// GET /v1/export and /v1/stats read a long range page by page (App::readPageRows), the export
// streamed as chunks: here pages of 3 rows over 3 days of 5 visitors (20 rows).
TEST(Records, ExportAndStatsPageThroughLongRanges) {
  Ledger L;
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  for (int day = 1; day <= 3; ++day) {
    for (int i = 0; i < 5; ++i) {
      Visitor v;
      int64_t t = at(("2026-12-0" + std::to_string(day) + "T1" + std::to_string(i) + ":00:00Z").c_str());
      L.nowMs = t + 5000;
      L.ingest({L.display(v, v2, "banner", t), L.press(v, v2, i % 2 ? Op::RejectAll : Op::AcceptAll, t + 3000)});
    }
    L.checkpoint();
  }
  std::vector<Row> all;
  ASSERT_TRUE(L.store->rowsBySeq(1, 0, 0, &all).ok());
  ASSERT_EQ(all.size(), 30u);
  FailingReads store(*L.store);
  L.app.store = &store;
  L.app.readPageRows = 3;
  Served s(L.app);
  httplib::Client c = s.client();
  auto auth = bearer(L.app.adminToken);

  // The whole ledger, then the middle day alone: chunked, and each verifies on its own.
  auto whole = c.Get("/v1/export", auth);
  ASSERT_TRUE(whole);
  ASSERT_EQ(whole->status, 200);
  EXPECT_EQ(whole->get_header_value("Transfer-Encoding"), "chunked");
  ExportData d;
  VerifyResult v = verifyExportText(whole->body, &d);
  EXPECT_TRUE(v.valid) << v.message;
  EXPECT_EQ(d.rows.size(), 30u);
  EXPECT_EQ(v.checkpoints, 3);
  EXPECT_GE(store.calls, 10) << "30 rows in pages of 3";
  auto day2 = c.Get("/v1/export?from=2026-12-02&to=2026-12-03", auth);
  ASSERT_TRUE(day2);
  ExportData d2;
  v = verifyExportText(day2->body, &d2);
  EXPECT_TRUE(v.valid) << v.message;
  ASSERT_EQ(d2.rows.size(), 10u);
  EXPECT_EQ(d2.fromSeq, 11);
  EXPECT_EQ(d2.prevHash, all[9].rowHash);
  EXPECT_EQ(v.checkpoints, 1);
  auto none = c.Get("/v1/export?from=2027-01-01", auth);
  ASSERT_TRUE(none);
  ExportData d0;
  v = verifyExportText(none->body, &d0);
  EXPECT_TRUE(v.valid) << v.message;
  EXPECT_TRUE(d0.rows.empty());

  // A proof's inclusion paths are computed in pages too, and lead to the signed root.
  std::string rid = *all[28].recordId;
  auto proof = c.Get(("/v1/proof/" + rid).c_str(), auth);
  ASSERT_TRUE(proof);
  ASSERT_EQ(proof->status, 200);
  ojson p = ojson::parse(proof->body);
  EXPECT_EQ(p["checkpoint"]["seq"], 30);
  for (const ojson& r : p["rows"])  // rows 29 and 30 sit in the tree's last block of two: 4 steps; the rest 5
    EXPECT_EQ(r["inclusion"].size(), r["seq"].get<int64_t>() > 28 ? 4u : 5u) << r["seq"];
  std::string why;
  EXPECT_TRUE(verifyProof(proof->body, L.signer->publicKeyHex(), &why)) << why;

  // The stats over pages are the stats over all the rows at once.
  auto stats = c.Get("/v1/stats?from=2026-12-01&to=2026-12-04", auth);
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->status, 200);
  ojson st = ojson::parse(stats->body);
  EXPECT_EQ(st, buildStats(all, at("2026-12-01T00:00:00Z"), at("2026-12-04T00:00:00Z")));
  EXPECT_EQ(st["totals"]["accept-all"], 9);
  EXPECT_EQ(st["totals"]["reject-all"], 6);

  // The database goes away in the middle of the rows: the response ends early and what
  // arrived does not pass for a whole export.
  store.calls = 0;
  store.failAt = 6;
  auto cut = c.Get("/v1/export", auth);
  ExportData dc;
  // cpp-httplib's client reports the unfinished chunked body as an error (no result); any
  // body that did arrive must not verify.
  bool passes = cut && cut->status == 200 && verifyExportText(cut->body, &dc).valid;
  EXPECT_FALSE(passes) << "a cut export verified: " << dc.rows.size() << " rows";
  EXPECT_FALSE(cut) << "expected the client to see the stream cut, got status " << cut->status;
  store.failAt = 1;
  auto down = c.Get("/v1/stats?from=2026-12-01&to=2026-12-04", auth);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
}

}  // namespace server
}  // namespace kelisim
