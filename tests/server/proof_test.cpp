// ledger/proof: the signed proof document and its printable page, on real rows of a real
// SQLite ledger (ops_fixture.h).
#include <gtest/gtest.h>

#include "ledger/merkle.h"
#include "ledger/proof.h"
#include "ledger/writer.h"
#include "ops_fixture.h"
#include "server_test_util.h"

namespace kelisim {
namespace server {
namespace {

using ops_test::at;
using ops_test::Ledger;
using ops_test::Visitor;

/** v1 accepted on 2026-11-10; the v2 notice shown 2026-11-21; implicit acceptance 2026-11-29;
 *  a checkpoint after it. `strings`: what the update notice showed. */
ojson proofOfImplicitUpdate(Ledger& L, Visitor& v, const ojson& strings = {{"title", "Политика обновлена"}}) {
  const PolicyVersion& v1 = L.policy("smartaqkol", "1");
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  int64_t t0 = at("2026-11-10T09:00:00+05:00"), t1 = at("2026-11-21T12:00:00+05:00"), t2 = at("2026-11-29T08:00:00+05:00");
  L.nowMs = t0 + 100;
  L.ingest({L.display(v, v1, "banner", t0), L.press(v, v1, Op::AcceptAll, t0 + 4000)});
  L.nowMs = t1 + 100;
  L.ingest({L.display(v, v2, "update-notice", t1, strings, "update-pending", "2026-11-27T19:00:00.000Z")});
  ojson implicit = L.load(v, v2, t2);
  L.nowMs = t2 + 100;
  L.ingest({implicit});
  L.nowMs = t2 + 60000;
  L.checkpoint();
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  L.read(v.recordId, &rows, &prev);
  std::vector<Checkpoint> cps;
  EXPECT_TRUE(L.store->checkpoints(&cps).ok());
  std::map<int64_t, std::vector<std::string>> inclusion;
  EXPECT_TRUE(proofInclusion(*L.store, rows, cps.back(), &inclusion).ok());
  return buildProof(v.recordId, rows, prev, L.policies.get(), cps, *L.signer, L.nowMs, {}, inclusion);
}

TEST(Proof, NamesTheConsentDocumentEachChoiceWasGivenUnder) {
  // toolpars v2's analytics category links the demo consent document (policies/toolpars/consent).
  std::string hash;
  ojson manifest = ojson::parse(testutil::repoFile("policies/toolpars/manifest.json"));
  for (const ojson& c : manifest["categories"])
    if (c["id"] == "analytics") hash = c["consent"]["hash"].get<std::string>();
  ASSERT_EQ(hash.size(), 64u);
  Ledger L;
  Visitor v;
  const PolicyVersion& pv = L.policy("toolpars", "2");
  int64_t t = at("2026-11-12T10:00:00+05:00");
  L.nowMs = t + 100;
  L.ingest({L.press(v, pv, Op::AcceptAll, t, {}, {{"analytics", hash}})});
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  L.read(v.recordId, &rows, &prev);
  ojson p = buildProof(v.recordId, rows, prev, L.policies.get(), {}, *L.signer, L.nowMs);
  ASSERT_EQ(p["decisions"].size(), 1u);
  const ojson& d = p["decisions"][0]["documents"]["analytics"];
  EXPECT_EQ(d["known"], true);
  EXPECT_EQ(d["id"], "analytics");
  EXPECT_EQ(d["version"], "1");
  EXPECT_EQ(d["hash"], hash);
  EXPECT_EQ(d["text"], "toolpars/consent/analytics/1/body.json");
  EXPECT_EQ(p["decisions"][0]["hashOk"], true);  // the entry hash, with its document, recomputes
  EXPECT_FALSE(p["decisions"][0]["documents"].contains("marketing"));
  EXPECT_EQ(p["state"]["docs"]["analytics"], hash.substr(0, 8));
  EXPECT_NE(proofHtml(p, "ru").find("analytics 1</code>"), std::string::npos);
}

TEST(Proof, WithPoliciesUrlTheTextIsAFullUrl) {
  // --policies-url: where the site serves the built policies; the proof links the exact text.
  Ledger L;
  L.policies->setBaseUrl("https://shop.example/policies");
  Visitor v;
  ojson p = proofOfImplicitUpdate(L, v);
  EXPECT_EQ(p["policies"][1]["text"], "https://shop.example/policies/smartaqkol/2/body.json");
  EXPECT_EQ(p["policies"][0]["text"], "https://shop.example/policies/smartaqkol/1/body.json");
}

TEST(Proof, NamesTheTextTheNoticeTheDeadlineAndTheCheckpoint) {
  Ledger L;
  Visitor v;
  ojson p = proofOfImplicitUpdate(L, v);
  EXPECT_EQ(p["format"], "kelisim-proof/1");
  EXPECT_EQ(p["recordId"], v.recordId);
  ASSERT_EQ(p["policies"].size(), 2u);
  EXPECT_EQ(p["policies"][1]["version"], "2");
  EXPECT_EQ(p["policies"][1]["bodyHash"], L.policy("smartaqkol", "2").bodyHash);
  EXPECT_EQ(p["policies"][1]["publishedAt"], "2026-11-20T05:00:00.000Z");
  EXPECT_EQ(p["policies"][1]["text"], L.policy("smartaqkol", "2").textPath);
  ASSERT_EQ(p["displays"].size(), 2u);
  EXPECT_EQ(p["displays"][1]["kind"], "update-notice");
  EXPECT_EQ(p["displays"][1]["strings"]["title"], "Политика обновлена");
  EXPECT_EQ(p["displays"][1]["contentHash"].get<std::string>().size(), 64u);
  ASSERT_EQ(p["decisions"].size(), 2u);
  EXPECT_EQ(p["decisions"][0]["how"], "button");
  EXPECT_EQ(p["decisions"][0]["hashOk"], true);
  const ojson& imp = p["decisions"][1];
  EXPECT_EQ(imp["how"], "implicit");
  EXPECT_EQ(imp["hashOk"], true);
  EXPECT_EQ(imp["implicit"]["notice"]["seq"], p["displays"][1]["seq"]);
  EXPECT_EQ(imp["implicit"]["notice"]["atIso"], "2026-11-21T07:00:00.000Z");
  EXPECT_EQ(imp["implicit"]["deadlineIso"], "2026-11-27T19:00:00.000Z");
  EXPECT_EQ(imp["implicit"]["afterDeadline"], true);
  EXPECT_EQ(imp["atIso"], "2026-11-29T03:00:00.000Z");
  EXPECT_EQ(p["checkpoint"]["seq"], p["rows"].back()["seq"]);
  EXPECT_EQ(p["checkpoint"]["head"], p["rows"].back()["rowHash"]);
  EXPECT_EQ(p["publicKey"], L.signer->publicKeyHex());
  EXPECT_EQ(p["signature"].get<std::string>().size(), 128u);
}

TEST(Proof, SignatureVerifiesAndFailsWhenAnyByteChanges) {
  Ledger L;
  Visitor v;
  std::string doc = proofOfImplicitUpdate(L, v).dump();
  std::string why;
  ASSERT_TRUE(verifyProof(doc, L.signer->publicKeyHex(), &why)) << why;
  ASSERT_TRUE(verifyProof(doc, "", &why)) << why;
  // Every single byte changed (compact JSON, so no byte is mere formatting): refused.
  size_t refused = 0;
  for (size_t i = 0; i < doc.size(); ++i) {
    std::string bad = doc;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    if (!verifyProof(bad, L.signer->publicKeyHex(), &why)) ++refused;
    else ADD_FAILURE() << "byte " << i << " changed and the proof still verified: …" << doc.substr(i > 20 ? i - 20 : 0, 40);
  }
  EXPECT_EQ(refused, doc.size());
  // Another key: refused, even though the document is intact.
  Ledger other;
  EXPECT_FALSE(verifyProof(doc, other.signer->publicKeyHex(), &why));
  EXPECT_NE(why, "");
}

TEST(Proof, AfterAKeyRotationAnyKeyOfTheHistoryVerifiesIt) {
  Ledger L;
  Visitor v;
  proofOfImplicitUpdate(L, v);  // rows and a checkpoint of the first key
  Ledger next;                  // only for its (different) key
  Checkpoint r;
  ASSERT_TRUE(rotateKey(*L.store, *L.signer, *next.signer, L.nowMs + 1, &r).ok());
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  L.read(v.recordId, &rows, &prev);
  std::vector<Checkpoint> rotations;
  ASSERT_TRUE(L.store->keyRotations(&rotations).ok());
  // As GET /v1/proof builds it: the newest checkpoint (here the rotation itself), the new key.
  std::map<int64_t, std::vector<std::string>> inclusion;
  ASSERT_TRUE(proofInclusion(*L.store, rows, r, &inclusion).ok());
  ojson p = buildProof(v.recordId, rows, prev, L.policies.get(), {r}, *next.signer, L.nowMs + 2, rotations, inclusion);
  EXPECT_EQ(p["checkpoint"]["prevKey"], L.signer->publicKeyHex());
  ASSERT_EQ(p["keyRotations"].size(), 1u);
  std::string doc = p.dump(), why;
  for (const std::string& key : {L.signer->publicKeyHex(), next.signer->publicKeyHex(), std::string()})
    EXPECT_TRUE(verifyProof(doc, key, &why)) << key << ": " << why;
  Ledger stranger;
  EXPECT_FALSE(verifyProof(doc, stranger.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("nor is it in keyRotations"), std::string::npos) << why;
  // Every byte matters here too.
  for (size_t i = 0; i < doc.size(); ++i) {
    std::string bad = doc;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    if (verifyProof(bad, L.signer->publicKeyHex(), &why))
      ADD_FAILURE() << "byte " << i << " changed and the proof still verified: …" << doc.substr(i > 20 ? i - 20 : 0, 40);
  }
  // The printable page names the earlier key, in each language.
  for (const char* lang : {"ru", "kk", "en"}) {
    std::string html = proofHtml(p, lang);
    EXPECT_NE(html.find(L.signer->publicKeyHex() + "</span> — "), std::string::npos) << lang;
  }
  EXPECT_NE(proofHtml(p, "ru").find("Прежние ключи подписи журнала"), std::string::npos);
  // Without its key history the proof no longer answers for the old key.
  ojson bare = buildProof(v.recordId, rows, prev, L.policies.get(), {r}, *next.signer, L.nowMs + 2, {}, inclusion);
  EXPECT_TRUE(verifyProof(bare.dump(), next.signer->publicKeyHex(), &why)) << why;
  EXPECT_FALSE(verifyProof(bare.dump(), L.signer->publicKeyHex(), &why));
  // A history that does not end at the proof's key (signed by a third key): refused.
  ojson forged = buildProof(v.recordId, rows, prev, L.policies.get(), {}, *stranger.signer, L.nowMs + 2, rotations);
  EXPECT_FALSE(verifyProof(forged.dump(), L.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("not the newest key of keyRotations"), std::string::npos) << why;
}

TEST(Proof, EachRowLeadsToTheCheckpointsSignedMerkleRoot) {
  Ledger L;
  Visitor v;
  ojson p = proofOfImplicitUpdate(L, v);
  ASSERT_TRUE(p["checkpoint"]["root"].is_string());
  for (const ojson& r : p["rows"]) ASSERT_TRUE(r["inclusion"].is_array()) << r.dump();
  std::string why;
  ASSERT_TRUE(verifyProof(p.dump(), L.signer->publicKeyHex(), &why)) << why;
  // Signed by the ledger's key, but with a path that does not lead to the root, or none.
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  L.read(v.recordId, &rows, &prev);
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(L.store->checkpoints(&cps).ok());
  std::map<int64_t, std::vector<std::string>> inclusion;
  ASSERT_TRUE(proofInclusion(*L.store, rows, cps.back(), &inclusion).ok());
  ASSERT_FALSE(inclusion[rows[0].seq].empty());
  inclusion[rows[0].seq][0] = rows[0].rowHash;  // a 64-hex value that is not the sibling
  ojson wrong = buildProof(v.recordId, rows, prev, L.policies.get(), cps, *L.signer, L.nowMs, {}, inclusion);
  EXPECT_FALSE(verifyProof(wrong.dump(), L.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("inclusion path does not lead"), std::string::npos) << why;
  ojson none = buildProof(v.recordId, rows, prev, L.policies.get(), cps, *L.signer, L.nowMs);
  EXPECT_FALSE(verifyProof(none.dump(), L.signer->publicKeyHex(), &why));
  EXPECT_NE(why.find("no inclusion path"), std::string::npos) << why;
}

TEST(Proof, ReformattingKeepsTheSignatureValid) {
  Ledger L;
  Visitor v;
  ojson p = proofOfImplicitUpdate(L, v);
  std::string why;
  EXPECT_TRUE(verifyProof(p.dump(2), L.signer->publicKeyHex(), &why)) << why;
}

TEST(Proof, HtmlEscapesEveryDisplayedStringInEachLanguage) {
  Ledger L;
  Visitor v;
  ojson p = proofOfImplicitUpdate(L, v, {{"title", "<script>alert(1)</script>"}, {"text", "\"><img src=x onerror=alert(2)>"}});
  for (const char* lang : {"ru", "kk", "en"}) {
    std::string html = proofHtml(p, lang);
    EXPECT_EQ(html.find("<script"), std::string::npos) << lang;
    EXPECT_EQ(html.find("<img"), std::string::npos) << lang;
    EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << lang;
    EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"), std::string::npos) << lang;
    EXPECT_NE(html.find(std::string("<html lang=\"") + lang + "\">"), std::string::npos);
    EXPECT_NE(html.find(v.recordId), std::string::npos);
    EXPECT_NE(html.find("2026-11-27T19:00:00.000Z"), std::string::npos) << "the deadline is named";
    EXPECT_NE(html.find("<style>" + std::string(kProofCss) + "</style>"), std::string::npos);
    EXPECT_NE(html.find(p["signature"].get<std::string>()), std::string::npos);
  }
  EXPECT_NE(proofHtml(p, "ru").find("Доказательство согласия"), std::string::npos);
  EXPECT_NE(proofHtml(p, "kk").find("Келісімнің дәлелі"), std::string::npos);
  EXPECT_NE(proofHtml(p, "en").find("Proof of consent"), std::string::npos);
  EXPECT_NE(proofHtml(p, "xx").find("<html lang=\"en\">"), std::string::npos);
}

TEST(Proof, AnImplicitAcceptanceWithoutANoticeSaysSoInThePage) {
  Ledger L;
  Visitor v;
  const PolicyVersion& v1 = L.policy("smartaqkol", "1");
  const PolicyVersion& v2 = L.policy("smartaqkol", "2");
  L.ingest({L.press(v, v1, Op::AcceptAll, at("2026-11-10T09:00:00+05:00"))});
  L.ingest({L.load(v, v2, at("2026-11-29T08:00:00+05:00"))});
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  L.read(v.recordId, &rows, &prev);
  ojson p = buildProof(v.recordId, rows, prev, L.policies.get(), {}, *L.signer, L.nowMs);
  EXPECT_TRUE(p["checkpoint"].is_null());
  EXPECT_TRUE(p["decisions"][1]["implicit"]["notice"].is_null());
  EXPECT_EQ(p["decisions"][1]["implicit"]["flags"][0], "implicit-without-notice");
  EXPECT_NE(proofHtml(p, "en").find("implicit-without-notice"), std::string::npos);
}

TEST(Proof, CspHashMatchesTheInlineStyle) {
  // 'sha256-' + base64(32 bytes) + "'" : 44 base64 characters with padding.
  std::string src = proofCssHashSource();
  EXPECT_EQ(src.rfind("'sha256-", 0), 0u);
  EXPECT_EQ(src.size(), 8u + 44u + 1u);
  EXPECT_EQ(htmlEscape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&#39;");
}

}  // namespace
}  // namespace server
}  // namespace kelisim
