// Build: manifests, bodies, hashes, change summaries; the committed policies/ output is current.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/sha256.h"
#include "policy/body.h"
#include "policy/build.h"

using namespace kelisim::policy;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string readRepoFile(const std::string& rel) {
  std::ifstream f(std::string(KELISIM_SOURCE_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(f.good()) << rel;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
FileList sourcesOf(const std::string& id) {
  FileList out;
  for (auto& e : fs::directory_iterator(std::string(KELISIM_SOURCE_DIR) + "/policies/" + id))
    if (e.path().extension() == ".md") out.emplace_back(id + "/" + e.path().filename().string(), readRepoFile("policies/" + id + "/" + e.path().filename().string()));
  // Consent documents: policies/<id>/consent/<doc>/<version>.<lang>.md.
  std::error_code ec;
  for (auto& d : fs::directory_iterator(std::string(KELISIM_SOURCE_DIR) + "/policies/" + id + "/consent", ec))
    for (auto& e : fs::directory_iterator(d.path()))
      if (e.path().extension() == ".md") {
        std::string rel = id + "/consent/" + d.path().filename().string() + "/" + e.path().filename().string();
        out.emplace_back(rel, readRepoFile("policies/" + rel));
      }
  std::sort(out.begin(), out.end());
  return out;
}
FileList build(const std::string& id) {
  FileList out;
  kelisim::Error e = buildPolicy(sourcesOf(id), &out);
  EXPECT_TRUE(e.ok()) << e.message;
  return out;
}
const std::string* file(const FileList& f, const std::string& path) {
  for (auto& x : f)
    if (x.first == path) return &x.second;
  return nullptr;
}
json jsonFile(const FileList& f, const std::string& path) {
  const std::string* s = file(f, path);
  EXPECT_NE(s, nullptr) << path;
  return s ? json::parse(*s, nullptr, false) : json();
}
std::string minimal(const std::string& extra, const std::string& text = "Политика\n1. Раздел\n1.1. Текст.\n") {
  return "---\nid: demo\nversion: 1\npublishedAt: 2025-06-10T12:00:00+05:00\ncategory.necessary: required\n"
         "category.necessary.title.ru: Необходимые\ncategory.necessary.title.kk: Қажетті\n"
         "category.necessary.title.en: Necessary\n" + extra + "---\n" + text;
}
kelisim::Error buildOne(const std::string& name, const std::string& text, FileList* out) {
  return buildPolicy({{name, text}}, out);
}

const char* kIds[] = {"mobile-app", "neupusti", "service", "smartaqkol", "toolpars"};

}  // namespace

TEST(PolicyBuild, OutputFilesAndHashes) {
  for (const char* id : kIds) {
    FileList out = build(id);
    json index = jsonFile(out, "index.json");
    ASSERT_TRUE(index.is_object()) << id;
    EXPECT_EQ(index["id"], id);
    // index, manifest; per version manifest, texts, body (+ body.<lang>.json per translation,
    // + diff.json after the first); feed.xml when any version has a date.
    size_t n = index["versions"].size(), extra = n - 1, dated = 0;
    for (auto& v : index["versions"]) {
      if (v.contains("langs")) extra += v["langs"].size() - 1;
      dated += v["publishedAt"].is_string();
    }
    // Consent documents: their own files under consent/<doc>/ (PolicyBuildConsent).
    size_t policyFiles = 0;
    for (auto& f : out) policyFiles += f.first.compare(0, 8, "consent/") != 0;
    EXPECT_EQ(policyFiles, 2 + 3 * n + extra + (dated ? 1 : 0)) << id;
    EXPECT_EQ(file(out, "feed.xml") != nullptr, dated > 0) << id;
    for (auto& v : index["versions"]) {
      std::string ver = v["version"];
      const std::string* body = file(out, ver + "/body.json");
      ASSERT_NE(body, nullptr);
      json m = jsonFile(out, ver + "/manifest.json");
      // bodyHash = SHA-256 of exactly the body.json bytes, which are canonical: the viewer's
      // parser re-serialises them to the same bytes.
      EXPECT_EQ(m["bodyHash"], kelisim::sha256_hex(*body));
      EXPECT_EQ(v["bodyHash"], m["bodyHash"]);
      Body parsed;
      std::string canonical;
      ASSERT_TRUE(parseBody(*body, &parsed, &canonical).ok());
      EXPECT_EQ(canonical, *body);
      EXPECT_EQ(m["body"], "body.json");
      EXPECT_EQ(m["id"], id);
      EXPECT_EQ(m["version"], ver);
      EXPECT_GE(m["categories"].size(), 1u);
      EXPECT_EQ(m["categories"][0]["id"], "necessary");
      EXPECT_EQ(m["categories"][0]["required"], true);
      for (const char* k : {"lang", "controller", "contact", "policyUrl", "publishedAt", "effectiveAt",
                            "updateRule", "material", "maxAgeDays", "changes", "previousVersion"})
        EXPECT_TRUE(m.contains(k)) << id << " " << k;
      // Format 2: the visitor texts are in texts.json, none in the manifest the banner fetches.
      EXPECT_EQ(m["format"], 2);
      EXPECT_EQ(m["texts"], "texts.json");
      EXPECT_EQ(v["texts"], ver + "/texts.json");
      EXPECT_FALSE(m.contains("title")) << id;
      json tx = jsonFile(out, ver + "/texts.json");
      EXPECT_EQ(tx["id"], id);
      EXPECT_EQ(tx["version"], ver);
      EXPECT_TRUE(tx["title"].is_string() && !tx["title"].get<std::string>().empty()) << id;
      EXPECT_EQ(tx["categories"].size(), m["categories"].size()) << id;
      for (auto& c : m["categories"]) {
        EXPECT_FALSE(c.contains("title") || c.contains("description")) << id;
        for (const char* lg : {"ru", "kk", "en"})
          EXPECT_FALSE(tx["categories"][c["id"].get<std::string>()]["title"][lg].get<std::string>().empty()) << id << " " << lg;
      }
      // What pages fetch is written without indentation; index.json stays readable.
      EXPECT_EQ(file(out, ver + "/manifest.json")->find("\n "), std::string::npos);
      EXPECT_EQ(file(out, ver + "/texts.json")->find("\n "), std::string::npos);
    }
    EXPECT_NE(file(out, "index.json")->find("\n  "), std::string::npos);
    EXPECT_EQ(index["title"], jsonFile(out, index["current"].get<std::string>() + "/texts.json")["title"]);
    // The top-level manifest is the current version's, with the body path from the policy folder.
    json top = jsonFile(out, "manifest.json");
    json cur = jsonFile(out, index["current"].get<std::string>() + "/manifest.json");
    EXPECT_EQ(top["body"], index["current"].get<std::string>() + "/body.json");
    EXPECT_EQ(top["texts"], index["current"].get<std::string>() + "/texts.json");
    for (const char* k : {"body", "texts"}) {
      top.erase(k);
      cur.erase(k);
    }
    // ...and the consent documents' manifests too (one folder up: no "../").
    for (auto* m : {&top, &cur})
      for (auto& c : (*m)["categories"])
        if (c.contains("consent")) c["consent"].erase("manifest");
    EXPECT_EQ(top, cur);
  }
}

TEST(PolicyBuild, MetadataAsTheTextStatesIt) {
  json neu = jsonFile(build("neupusti"), "1/manifest.json");
  EXPECT_EQ(neu["publishedAt"], "2022-08-04T00:00:00+06:00");
  EXPECT_EQ(neu["controller"], "TOO «Neupustinet»");
  EXPECT_EQ(neu["policyUrl"], "https://Neupusti.kz/");
  EXPECT_EQ(neu["updateRule"], json::parse(R"({"type":"explicit"})"));
  json sa = jsonFile(build("smartaqkol"), "1/manifest.json");
  EXPECT_EQ(sa["publishedAt"], nullptr);  // "publishedAt: unknown": the text states no date
  EXPECT_EQ(sa["effectiveAt"], nullptr);
  EXPECT_EQ(sa["contact"], nullptr);
  EXPECT_EQ(sa["controller"], "ТОО «BTS Digital»");
  EXPECT_EQ(sa["updateRule"], json::parse(R"({"type":"implicit","days":7})"));  // clause 1.2
  EXPECT_EQ(sa["maxAgeDays"], json::parse(R"({"accepted":365,"rejected":182})"));
  EXPECT_EQ(sa["previousVersion"], nullptr);
  EXPECT_EQ(sa["changes"], nullptr);
  EXPECT_FALSE(sa.contains("demo"));
  json tp = jsonFile(build("toolpars"), "1/manifest.json");
  EXPECT_EQ(tp["contact"], "support@toolpars.kz");
  EXPECT_EQ(tp["categories"][2], json::parse(R"({"id":"marketing","required":false,"gpcOff":true,"clauses":["4.1.5"]})"));
  json tpt = jsonFile(build("toolpars"), "1/texts.json");
  EXPECT_EQ(tpt["categories"]["marketing"], json::parse(R"({
    "title":{"ru":"Реклама","kk":"Жарнама","en":"Advertising"},
    "description":{"ru":"Рекламная деятельность (п. 4.1.5).","kk":"Жарнамалық қызмет (4.1.5-т.).","en":"Advertising (clause 4.1.5)."}})"));
  EXPECT_EQ(tpt["title"], "Политика конфиденциальности — Toolpars");
}

TEST(PolicyBuild, DemoUpdatesAndChangeSummaries) {
  FileList sa = build("smartaqkol");
  json m2 = jsonFile(sa, "2/manifest.json");
  EXPECT_EQ(m2["demo"], true);
  EXPECT_EQ(m2["publishedAt"], "2026-11-20T10:00:00+05:00");
  EXPECT_EQ(m2["previousVersion"], "1");
  EXPECT_EQ(m2["material"], false);  // same categories: the 7-day rule applies
  // 2.6 renumbered to 2.5 and extended, a new 2.6, TLS v1.2 -> v1.3 in 3.3.
  EXPECT_EQ(m2["changes"], json::parse(R"({"added":["2.6"],"removed":[],"changed":["2.5","3.3"],"moved":[]})"));
  json idx = jsonFile(sa, "index.json");
  EXPECT_EQ(idx["current"], "2");
  EXPECT_EQ(idx["versions"][1]["demo"], true);
  EXPECT_EQ(idx["versions"][0]["clauses"], 22);
  EXPECT_EQ(idx["versions"][1]["clauses"], 23);

  json t2 = jsonFile(build("toolpars"), "2/manifest.json");
  EXPECT_EQ(t2["material"], true);  // adds the analytics category
  EXPECT_EQ(t2["changes"]["added"], json::parse(R"(["4.1.6","9.4"])"));
  EXPECT_EQ(t2["changes"]["changed"], json::parse(R"(["5.1","7.1","8.3","8.4"])"));
  EXPECT_EQ(t2["changes"]["removed"], json::array());
}

TEST(PolicyBuild, MaterialIsSetWhenAVersionAddsAnOptionalCategory) {
  std::string v1 = minimal("");
  std::string v2 = minimal("category.ads: optional\ncategory.ads.title.ru: Р\ncategory.ads.title.kk: Ж\ncategory.ads.title.en: A\n");
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  FileList out;
  ASSERT_TRUE(buildPolicy({{"demo/2.md", v2}, {"demo/1.md", v1}}, &out).ok());
  EXPECT_EQ(jsonFile(out, "2/manifest.json")["material"], true);
  EXPECT_EQ(jsonFile(out, "1/manifest.json")["material"], false);
  EXPECT_EQ(jsonFile(out, "index.json")["versions"][0]["version"], "1");  // sorted by version
}

TEST(PolicyBuild, CommittedOutputIsCurrent) {
  // policies/<id>/ holds the built output next to the sources; rebuild with
  // `kelisim build policies/` when this fails.
  for (const char* id : kIds) {
    for (auto& f : build(id)) {
      std::ifstream in(std::string(KELISIM_SOURCE_DIR) + "/policies/" + id + "/" + f.first, std::ios::binary);
      ASSERT_TRUE(in.good()) << id << "/" << f.first << " is missing: run `kelisim build policies/`";
      std::ostringstream ss;
      ss << in.rdbuf();
      EXPECT_EQ(ss.str(), f.second) << id << "/" << f.first << " is stale: run `kelisim build policies/`";
    }
  }
}

TEST(PolicyBuild, BadHeadersAreNamed) {
  struct { std::string name, text, needle; } kCases[] = {
      {"demo/1.md", "Политика\n1. Раздел\n", "header field `id`"},
      {"demo/2.md", minimal(""), "file name must be <version>.md"},
      {"other/1.md", minimal(""), "folder name `other` differs from header id `demo`"},
      {"demo/1.md", minimal("").replace(minimal("").find("2025-06-10T12:00:00+05:00"), 25, "10.06.2025"), "publishedAt"},
      {"demo/1.md", minimal("").replace(minimal("").find("publishedAt: 2025-06-10T12:00:00+05:00\n"), 38, ""),
       "`publishedAt: unknown`"},
      {"demo/1.md", minimal("updateRule: sometimes\n"), "updateRule"},
      {"demo/1.md", minimal("material: yes\n"), "material"},
      {"demo/1.md", minimal("maxAgeDays: accepted 0\n"), "maxAgeDays"},
      {"demo/1.md", minimal("category.Bad: optional\n"), "category id `Bad`"},
      {"demo/1.md", minimal("category.x: optional, loud\n"), "unknown flag `loud`"},
      {"demo/1.md", minimal("category.x: optional\n"), "category.x.title.ru is missing"},
      {"demo/1.md", minimal("category.necessary: optional\n"), "declared twice"},
  };
  for (auto& c : kCases) {
    FileList out;
    kelisim::Error e = buildOne(c.name, c.text, &out);
    EXPECT_EQ(e.code, kelisim::ErrorCode::BadInput) << c.needle;
    EXPECT_NE(e.message.find(c.needle), std::string::npos) << e.message;
    EXPECT_EQ(e.message.compare(0, c.name.size(), c.name), 0) << e.message;  // names the file
    EXPECT_TRUE(out.empty());
  }
  FileList out;
  std::string noCats = "---\nid: demo\nversion: 1\npublishedAt: unknown\n---\nТекст\n";
  EXPECT_NE(buildOne("demo/1.md", noCats, &out).message.find("1..32 consent categories"), std::string::npos);
  std::string v1 = minimal("");
  EXPECT_NE(buildPolicy({{"demo/1.md", v1}, {"copy/demo/1.md", v1}}, &out).message.find("also in"), std::string::npos);
  EXPECT_EQ(buildPolicy({}, &out).code, kelisim::ErrorCode::BadInput);
}

TEST(PolicyBuild, JsonEntryPointsForTheBridge) {
  std::string out;
  json in = json::array({json::array({"demo/1.md", minimal("")})});
  ASSERT_TRUE(buildJson(in.dump(), &out).ok());
  json files = json::parse(out, nullptr, false);
  ASSERT_TRUE(files.is_array());
  ASSERT_EQ(files.size(), 6u);
  EXPECT_EQ(files[0][0], "index.json");
  EXPECT_EQ(files[3][0], "1/texts.json");
  EXPECT_EQ(files[4][0], "1/body.json");
  EXPECT_EQ(files[5][0], "feed.xml");
  EXPECT_EQ(buildJson("{", &out).code, kelisim::ErrorCode::BadInput);
  EXPECT_EQ(buildJson(R"([["a"]])", &out).code, kelisim::ErrorCode::BadInput);
  std::string lintOut;
  ASSERT_TRUE(lintFormatted("f.md", "Т\n1. А\n1.1. п. 9.9\n", "json", &lintOut).ok());
  EXPECT_NE(lintOut.find("broken-reference"), std::string::npos);
  ASSERT_TRUE(lintFormatted("f.md", "Т\n1. А\n1.1. п. 9.9\n", "text-ru", &lintOut).ok());
  EXPECT_NE(lintOut.find("f.md:3:9: error[broken-reference]: ссылка на пункт 9.9"), std::string::npos);
  EXPECT_EQ(lintFormatted("f.md", "", "xml", &lintOut).code, kelisim::ErrorCode::BadArgument);
  std::string hex;
  ASSERT_TRUE(bodyHash(readRepoFile("policies/neupusti/1.md"), &hex).ok());
  EXPECT_EQ(hex, jsonFile(build("neupusti"), "1/manifest.json")["bodyHash"]);
}

TEST(PolicyBuild, CompareVersions) {
  EXPECT_LT(compareVersions("1", "2"), 0);
  EXPECT_LT(compareVersions("1.9", "1.10"), 0);
  EXPECT_GT(compareVersions("2", "1.10"), 0);
  EXPECT_EQ(compareVersions("1.01", "1.1"), 0);
  EXPECT_LT(compareVersions("1", "1.1"), 0);
  EXPECT_LT(compareVersions("2025-06-10", "2025-11-01"), 0);
  EXPECT_LT(compareVersions("1-beta", "1-rc"), 0);
}

// ---- Consent documents (policies/README.md "Consent documents") ------------------------------

namespace {

std::string consentDoc(const std::string& extra, const std::string& text, const std::string& version = "1",
                       const std::string& lang = "ru") {
  return "---\nkind: consent\nid: analytics\nversion: " + version + "\nlang: " + lang +
         "\ncategory: analytics\npurpose: статистика\noperator: ТОО «Пример»\nterm: 1 год\n"
         "publishedAt: 2026-11-25T10:00:00+05:00\n" + extra + "---\n" + text;
}
const std::string kDocText =
    "Согласие\n1. ТОО «Пример» (Алматы, пр. Абая, 1) обрабатывает мои персональные данные.\n"
    "2. Цель: статистика. 3. Данные: cookie. 4. Срок: 1 год. 5. Отозвать согласие можно в настройках.\n";
std::string withAnalytics() {
  return minimal("category.analytics: optional\ncategory.analytics.title.ru: Аналитика\n"
                 "category.analytics.title.kk: Талдау\ncategory.analytics.title.en: Analytics\n");
}
const json* categoryOf(const json& m, const std::string& id) {
  for (auto& c : m["categories"])
    if (c["id"] == id) return &c;
  return nullptr;
}

}  // namespace

TEST(PolicyBuildConsent, DocumentIsBuiltHashedAndLinkedFromItsCategory) {
  FileList out;
  kelisim::Error e = buildPolicy({{"demo/1.md", withAnalytics()},
                                  {"demo/consent/analytics/1.ru.md", consentDoc("", kDocText)},
                                  {"demo/consent/analytics/1.kk.md", consentDoc("", kDocText, "1", "kk")}},
                                 &out);
  ASSERT_TRUE(e.ok()) << e.message;
  json dm = jsonFile(out, "consent/analytics/1/manifest.json");
  EXPECT_EQ(dm["kind"], "consent");
  EXPECT_EQ(dm["category"], "analytics");
  EXPECT_EQ(dm["operator"], "ТОО «Пример»");
  EXPECT_EQ(dm["controller"], "ТОО «Пример»");
  EXPECT_EQ(dm["langs"], json::array({"ru", "kk"}));
  // The hash covers every language, like a version hash (docs/body-format.md).
  std::string ru = kelisim::sha256_hex(*file(out, "consent/analytics/1/body.json"));
  std::string kk = kelisim::sha256_hex(*file(out, "consent/analytics/1/body.kk.json"));
  EXPECT_EQ(dm["hash"], kelisim::sha256_hex("kelisim version hash 1\nkk " + kk + "\nru " + ru + "\n"));
  EXPECT_EQ(dm["bodyHash"], ru);
  json top = jsonFile(out, "manifest.json"), v1 = jsonFile(out, "1/manifest.json");
  const json* cat = categoryOf(top, "analytics");
  ASSERT_NE(cat, nullptr);
  EXPECT_EQ((*cat)["consent"]["id"], "analytics");
  EXPECT_EQ((*cat)["consent"]["version"], "1");
  EXPECT_EQ((*cat)["consent"]["hash"], dm["hash"]);
  EXPECT_EQ((*cat)["consent"]["manifest"], "consent/analytics/1/manifest.json");
  EXPECT_EQ((*categoryOf(v1, "analytics"))["consent"]["manifest"], "../consent/analytics/1/manifest.json");
  EXPECT_FALSE(categoryOf(top, "necessary")->contains("consent"));
  json index = jsonFile(out, "index.json");
  EXPECT_EQ(index["consent"][0]["index"], "consent/analytics/index.json");
  json di = jsonFile(out, "consent/analytics/index.json");
  EXPECT_EQ(di["current"], "1");
  EXPECT_EQ(di["versions"][0]["hash"], dm["hash"]);
  // The viewer opens the document like a policy: its top-level manifest names its parts.
  EXPECT_EQ(jsonFile(out, "consent/analytics/manifest.json")["body"], "1/body.json");
}

TEST(PolicyBuildConsent, NewVersionIsLinkedAndAnEditedTranslationChangesTheHash) {
  std::string v2text = kDocText + "6. Новое условие.\n";
  FileList out;
  kelisim::Error e = buildPolicy({{"demo/1.md", withAnalytics()},
                                  {"demo/consent/analytics/1.ru.md", consentDoc("", kDocText)},
                                  {"demo/consent/analytics/2.ru.md", consentDoc("", v2text, "2")}},
                                 &out);
  ASSERT_TRUE(e.ok()) << e.message;
  json c = (*categoryOf(jsonFile(out, "manifest.json"), "analytics"))["consent"];
  EXPECT_EQ(c["version"], "2");
  EXPECT_EQ(c["hash"], jsonFile(out, "consent/analytics/2/manifest.json")["hash"]);
  EXPECT_NE(c["hash"], jsonFile(out, "consent/analytics/1/manifest.json")["hash"]);
  EXPECT_EQ(jsonFile(out, "consent/analytics/2/manifest.json")["previousVersion"], "1");
  // Only the Kazakh text differs: another hash (the visitor may have read that language).
  FileList a, b;
  ASSERT_TRUE(buildPolicy({{"demo/1.md", withAnalytics()}, {"demo/consent/analytics/1.ru.md", consentDoc("", kDocText)},
                           {"demo/consent/analytics/1.kk.md", consentDoc("", kDocText, "1", "kk")}}, &a).ok());
  std::string kk2 = kDocText;
  kk2.replace(kk2.find("статистика."), 21, "талдау.");
  ASSERT_TRUE(buildPolicy({{"demo/1.md", withAnalytics()}, {"demo/consent/analytics/1.ru.md", consentDoc("", kDocText)},
                           {"demo/consent/analytics/1.kk.md", consentDoc("", kk2, "1", "kk")}}, &b).ok());
  EXPECT_NE(jsonFile(a, "consent/analytics/1/manifest.json")["hash"], jsonFile(b, "consent/analytics/1/manifest.json")["hash"]);
}

TEST(PolicyBuildConsent, BadDocumentsAreRefusedWithTheFileNamed) {
  std::string doc = "demo/consent/analytics/1.ru.md";
  auto without = [&](const std::string& line) {
    std::string d = consentDoc("", kDocText);
    d.erase(d.find(line), line.size());
    return d;
  };
  std::string twoCats = consentDoc("", kDocText);
  struct { std::string policy, name, text, needle; } kCases[] = {
      {withAnalytics(), doc, without("purpose: статистика\n"), "header field `purpose` is missing"},
      {withAnalytics(), doc, without("operator: ТОО «Пример»\n"), "header field `operator` is missing"},
      {withAnalytics(), doc, without("term: 1 год\n"), "header field `term` is missing"},
      {withAnalytics(), doc, without("kind: consent\n"), "must say `kind: consent`"},
      {withAnalytics(), doc, without("category: analytics\n"), "exactly one `category: <id>` or `service: <id>`"},
      {withAnalytics(), doc, consentDoc("service: maps\n", kDocText), "exactly one `category: <id>` or `service: <id>`"},
      {withAnalytics(), doc, consentDoc("policy: other\n", kDocText), "header field `policy` is `other`"},
      {minimal(""), doc, consentDoc("", kDocText), "covers category `analytics`, which the current version"},
      {withAnalytics(), "demo/consent/other/1.ru.md", consentDoc("", kDocText), "folder name `other` differs from header id `analytics`"},
  };
  for (auto& c : kCases) {
    FileList out;
    kelisim::Error e = buildPolicy({{"demo/1.md", c.policy}, {c.name, c.text}}, &out);
    EXPECT_EQ(e.code, kelisim::ErrorCode::BadInput) << c.needle;
    EXPECT_NE(e.message.find(c.needle), std::string::npos) << e.message;
    EXPECT_EQ(e.message.compare(0, c.name.size(), c.name), 0) << e.message;
  }
  // A required category is not processed on consent; one document per purpose.
  FileList out;
  std::string req = consentDoc("", kDocText);
  req.replace(req.find("category: analytics"), 19, "category: necessary");
  std::string reqDoc = "demo/consent/analytics/1.ru.md";
  EXPECT_NE(buildPolicy({{"demo/1.md", withAnalytics()}, {reqDoc, req}}, &out).message.find("is required"), std::string::npos);
  std::string second = consentDoc("", kDocText);
  second.replace(second.find("id: analytics"), 13, "id: stats");
  EXPECT_NE(buildPolicy({{"demo/1.md", withAnalytics()}, {doc, consentDoc("", kDocText)}, {"demo/consent/stats/1.ru.md", second}}, &out)
                .message.find("has two consent documents"),
            std::string::npos);
  // `kind: consent` among the policy's own versions.
  EXPECT_NE(buildOne("demo/1.md", minimal("kind: consent\n"), &out).message.find("belongs in consent/<doc-id>/"), std::string::npos);
}

TEST(PolicyBuildConsent, DemoDocumentOfToolparsIsLinked) {
  FileList out = build("toolpars");
  json c = (*categoryOf(jsonFile(out, "manifest.json"), "analytics"))["consent"];
  EXPECT_EQ(c["id"], "analytics");
  json dm = jsonFile(out, "consent/analytics/1/manifest.json");
  EXPECT_EQ(c["hash"], dm["hash"]);
  EXPECT_EQ(dm["demo"], true);
  EXPECT_EQ(dm["langs"], json::array({"ru", "kk"}));
}
