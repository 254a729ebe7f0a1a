// Translations: the translation lint on fixtures with each defect (and a clean pair with no
// findings), Kazakh reference forms, and the build of a version in several languages.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/sha256.h"
#include "policy/build.h"
#include "policy/lint.h"
#include "policy/translate.h"

using namespace kelisim::policy;
using json = nlohmann::json;

namespace {

std::string readRepoFile(const std::string& rel) {
  std::ifstream f(std::string(KELISIM_SOURCE_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(f.good()) << rel;
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
const std::string kDir = "tests/fixtures/policy/translations/";
std::vector<std::pair<std::string, std::string>> pair(const std::string& name) {
  return {{name + "/1.ru.md", readRepoFile(kDir + name + "/1.ru.md")}, {name + "/1.kk.md", readRepoFile(kDir + name + "/1.kk.md")}};
}
std::vector<Finding> lintPair(const std::string& name) {
  std::vector<Finding> out;
  kelisim::Error e = lintTranslations(pair(name), &out);
  EXPECT_TRUE(e.ok()) << e.message;
  return out;
}
std::string codes(const std::vector<Finding>& fs) {
  std::string s;
  for (auto& f : fs) s += (s.empty() ? "" : " ") + f.severity + ":" + f.code;
  return s;
}

}  // namespace

TEST(PolicyTranslate, CleanPairHasNoFindings) {
  EXPECT_EQ(codes(lintPair("clean")), "");
  // Each half is also clean on its own: the Kazakh date, retention period and references are
  // understood by the single-file lint.
  for (auto& f : pair("clean")) {
    std::vector<Finding> own;
    ASSERT_TRUE(lint(f.second, &own).ok());
    EXPECT_EQ(codes(own), "") << f.first;
  }
}

TEST(PolicyTranslate, EachDefectIsFoundWhereItIs) {
  struct Case { const char* name; const char* codes; const char* clause; int line; const char* needle; };
  const Case kCases[] = {
      {"missing-clause", "error:translation-missing-clause", "3", 23, "clause 2.3 of missing-clause/1.ru.md (line 32) is missing"},
      {"numbering", "error:translation-numbering", "2.4", 23, "clause 2.4 is numbered 2.3 in numbering/1.ru.md"},
      {"reference", "warning:translation-reference", "2.2", 21, "only here: 2.3; only in reference/1.ru.md: 2.1"},
      {"email", "warning:translation-fact", "1.2", 15, "e-mail addresses differ"},
      {"url", "warning:translation-fact", "2.2", 21, "only here: example.kz/policy; only in url/1.ru.md: example.kz/privacy"},
      {"phone", "warning:translation-fact", "1.2", 15, "only here: +77271234576; only in phone/1.ru.md: +77271234567"},
      {"date", "warning:translation-fact", "3.1", 27, "only here: 2026-02-01; only in date/1.ru.md: 2026-03-01"},
      {"amount", "warning:translation-fact", "2.3", 23, "only here: 10 MCI; only in amount/1.ru.md: 100 MCI"},
      {"law", "warning:translation-fact", "1.1", 13, "only here: law 95-V; only in law/1.ru.md: law 94-V"},
      {"article", "warning:translation-fact", "2.3", 23, "only here: article 97; only in article/1.ru.md: article 79"},
      {"controller", "error:translation-controller warning:translation-controller", "", 7, "header `controller` is `ТОО «Другой»`"},
      {"jurisdiction", "error:translation-jurisdiction warning:translation-jurisdiction", "", 7, "header `jurisdiction` is `RU`"},
  };
  for (auto& c : kCases) {
    std::vector<Finding> fs = lintPair(c.name);
    ASSERT_EQ(codes(fs), c.codes) << c.name;
    EXPECT_EQ(fs[0].file, std::string(c.name) + "/1.kk.md") << c.name;
    EXPECT_EQ(fs[0].clause, c.clause) << c.name;
    EXPECT_EQ(fs[0].line, c.line) << c.name;
    EXPECT_NE(fs[0].messageEn.find(c.needle), std::string::npos) << c.name << ": " << fs[0].messageEn;
    // Every message says where the rule comes from, in both languages.
    EXPECT_NE(fs[0].messageEn.find("151-I"), std::string::npos) << c.name;
    EXPECT_NE(fs[0].messageRu.find("151-I"), std::string::npos) << c.name;
  }
  // The second controller finding names the organisations in the text.
  std::vector<Finding> ctrl = lintPair("controller");
  EXPECT_NE(ctrl[1].messageEn.find("only here: басқа; only in controller/1.ru.md: пример"), std::string::npos) << ctrl[1].messageEn;
  EXPECT_NE(ctrl[1].messageEn.find("GDPR art. 13(1)(a)"), std::string::npos);
}

TEST(PolicyTranslate, KazakhReferenceForms) {
  auto refs = [](const std::string& s) {
    std::string out;
    for (auto& r : clauseReferences(s)) out += (out.empty() ? "" : " ") + r.first;
    return out;
  };
  EXPECT_EQ(refs("5.2-тармаққа сәйкес"), "5.2");
  EXPECT_EQ(refs("5.2 тармағында көрсетілген"), "5.2");
  EXPECT_EQ(refs("5-бөлімде"), "5");
  EXPECT_EQ(refs("(2.1-т.)"), "2.1");
  EXPECT_EQ(refs("п. 5.2 и 5.3, раздел 7, clause 4"), "5.2 5.3 7 4");
  // Into another document: an article's clause, a law's clause.
  EXPECT_EQ(refs("Заңның 8-бабының 4-тармағына сәйкес"), "");
  EXPECT_EQ(refs("п. 1 ст. 5 Закона"), "");
  EXPECT_EQ(refs("2-тарау"), "");
  // The single-file lint checks them: a Kazakh reference to a clause that does not exist.
  std::vector<Finding> fs;
  ASSERT_TRUE(lint("1. Жалпы\n1.1. Мәтін 3.4-тармақта.\n1.2. Тағы 1.1-тармақта.\n", &fs).ok());
  std::string broken;
  for (auto& f : fs)
    if (f.code == "broken-reference") broken += f.messageEn + "@" + std::to_string(f.line) + ":" + std::to_string(f.col) + ";";
  EXPECT_EQ(broken, "reference to clause 3.4, which does not exist@2:12;");
}

TEST(PolicyTranslate, FileLanguage) {
  EXPECT_EQ(fileLang("policies/service/2.kk.md"), "kk");
  EXPECT_EQ(fileLang("2.ru.txt"), "ru");
  EXPECT_EQ(fileLang("1.en.md"), "en");
  EXPECT_EQ(fileLang("1.md"), "");
  EXPECT_EQ(fileLang("1.2.md"), "");
  EXPECT_EQ(fileLang("1.de.md"), "");
}

TEST(PolicyTranslate, LintSourcesGroupsTheLanguagesOfAVersion) {
  auto files = pair("email");
  files.emplace_back("other/1.md", readRepoFile(kDir + "clean/1.ru.md"));
  std::string out;
  bool errors = true;
  ASSERT_TRUE(lintSources(files, "json", &out, &errors).ok());
  EXPECT_FALSE(errors);  // the e-mail difference is a warning
  // One array per file, then one for the email/1 group (the lone other/1.md forms none).
  std::vector<json> lines;
  for (size_t b = 0, e; (e = out.find('\n', b)) != std::string::npos; b = e + 1) lines.push_back(json::parse(out.substr(b, e - b)));
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_EQ(lines[3].size(), 1u);
  EXPECT_EQ(lines[3][0]["file"], "email/1.kk.md");
  EXPECT_EQ(lines[3][0]["code"], "translation-fact");
  EXPECT_FALSE(lines[0].size() && lines[0][0].contains("file"));  // single-file findings: as before
  // The reference is the source with publishedAt, whatever the order given.
  std::swap(files[0], files[1]);
  ASSERT_TRUE(lintSources(files, "text", &out, &errors).ok());
  EXPECT_NE(out.find("email/1.kk.md:15:17: warning[translation-fact]"), std::string::npos) << out;
  ASSERT_TRUE(lintSources(pair("missing-clause"), "text", &out, &errors).ok());
  EXPECT_TRUE(errors);
}

TEST(PolicyTranslate, BuildAlignsLanguagesIntoOneVersion) {
  auto clean = pair("clean");
  FileList out;
  ASSERT_TRUE(buildPolicy({{"fixture/1.kk.md", clean[1].second}, {"fixture/1.ru.md", clean[0].second}}, &out).ok());
  auto get = [&](const std::string& p) -> std::string {
    for (auto& f : out)
      if (f.first == p) return f.second;
    ADD_FAILURE() << p << " missing";
    return "";
  };
  json m = json::parse(get("1/manifest.json"));
  EXPECT_EQ(m["lang"], "ru");  // the primary: the source with publishedAt
  EXPECT_EQ(m["langs"], json::parse(R"(["ru","kk"])"));
  std::string ruBody = get("1/body.json"), kkBody = get("1/body.kk.json");
  EXPECT_EQ(m["bodyHash"], kelisim::sha256_hex(ruBody));
  json tx = json::parse(get("1/texts.json"));
  EXPECT_EQ(tx["langs"]["kk"]["bodyHash"], kelisim::sha256_hex(kkBody));
  EXPECT_EQ(tx["langs"]["kk"]["body"], "body.kk.json");
  EXPECT_EQ(tx["langs"]["kk"]["title"], "Құпиялылық саясаты");
  std::string vh = kelisim::sha256_hex("kelisim version hash 1\nkk " + kelisim::sha256_hex(kkBody) + "\nru " +
                                       kelisim::sha256_hex(ruBody) + "\n");
  EXPECT_EQ(tx["versionHash"], vh);
  json idx = json::parse(get("index.json"));
  EXPECT_EQ(idx["versions"][0]["versionHash"], vh);
  EXPECT_EQ(idx["versions"][0]["langs"]["kk"]["body"], "1/body.kk.json");

  // A misaligned translation is refused, naming the file, the place and the rule.
  auto bad = pair("missing-clause");
  kelisim::Error e = buildPolicy({{"fixture/1.ru.md", bad[0].second}, {"fixture/1.kk.md", bad[1].second}}, &out);
  EXPECT_EQ(e.code, kelisim::ErrorCode::BadInput);
  EXPECT_NE(e.message.find("fixture/1.kk.md:23:4: clause 2.3 of fixture/1.ru.md (line 32) is missing"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("[translation-missing-clause]"), std::string::npos) << e.message;
  // Two sources of one language, and a header lang that contradicts the file name.
  e = buildPolicy({{"fixture/1.ru.md", clean[0].second}, {"fixture/1.md", clean[0].second}}, &out);
  EXPECT_NE(e.message.find("has two `ru` sources"), std::string::npos) << e.message;
  e = buildPolicy({{"fixture/1.kk.md", clean[0].second}}, &out);
  EXPECT_NE(e.message.find("header field `lang` is `ru` but the file name says `kk`"), std::string::npos) << e.message;
}

TEST(PolicyTranslate, TranslationOnlyVersionIsReportedAsSuch) {
  // The committed demo: service 2 = seed text (ru) + a Kazakh translation by the project.
  FileList src, out;
  for (const char* f : {"1.md", "2.ru.md", "2.kk.md"}) src.emplace_back(std::string("service/") + f, readRepoFile(std::string("policies/service/") + f));
  ASSERT_TRUE(buildPolicy(src, &out).ok());
  json m2;
  std::string feed;
  for (auto& f : out) {
    if (f.first == "2/manifest.json") m2 = json::parse(f.second);
    if (f.first == "feed.xml") feed = f.second;
  }
  EXPECT_EQ(m2["changes"], json::parse(R"({"added":[],"removed":[],"changed":[],"moved":[],"translationOnly":true,
                                           "translations":{"added":["kk"],"changed":[],"removed":[]}})"));
  EXPECT_EQ(m2["material"], false);
  EXPECT_EQ(m2["demo"], true);
  EXPECT_EQ(m2["langs"], json::parse(R"(["ru","kk"])"));
  EXPECT_NE(feed.find("<summary type=\"text\">Изменились только переводы. Добавлены переводы: kk."), std::string::npos) << feed;
  // A corrected translation (the Kazakh text changes, the Russian does not) is reported too.
  std::string kk = readRepoFile("policies/service/2.kk.md");
  std::string kk3 = kk, ru3 = readRepoFile("policies/service/2.ru.md");
  kk3.replace(kk3.find("version: 2"), 10, "version: 3");
  ru3.replace(ru3.find("version: 2"), 10, "version: 3");
  ru3.replace(ru3.find("2026-11-25T10:00:00+05:00"), 25, "2026-11-26T10:00:00+05:00");
  kk3.replace(kk3.find("5 жыл бойы"), 10, "бес жыл бойы");
  src.emplace_back("service/3.ru.md", ru3);
  src.emplace_back("service/3.kk.md", kk3);
  ASSERT_TRUE(buildPolicy(src, &out).ok());
  for (auto& f : out)
    if (f.first == "3/manifest.json") m2 = json::parse(f.second);
  EXPECT_EQ(m2["changes"]["translationOnly"], true);
  EXPECT_EQ(m2["changes"]["translations"], json::parse(R"({"added":[],"changed":["kk"],"removed":[]})"));
}

TEST(PolicyTranslate, PathologicalInputsNeverBreakIt) {
  std::string digits(20000, '7'), dots, quotes, ats, mixed, many, fewer;
  for (int k = 0; k < 3000; ++k) dots += "1.";
  for (int k = 0; k < 3000; ++k) quotes += "ТОО «";
  for (int k = 0; k < 3000; ++k) ats += "@.";
  for (int k = 0; k < 2000; ++k) mixed += "+7 (7" + std::to_string(k) + ") 5-тармақ 2013 жылғы 1 мамыр 100 тенге № 9" + std::to_string(k % 10) + "-V ст. ";
  for (int k = 1; k <= 2100; ++k) many += std::to_string(k) + ". Пункт " + std::to_string(k) + ".\n";
  for (int k = 1; k <= 2050; ++k) fewer += std::to_string(k + (k > 1000)) + ". Тармақ.\n";  // 1001 missing: > 4M cells, aligned by position
  const std::string inputs[] = {"", "---\nid: x\n---\n", digits, dots, quotes, ats, mixed, many, fewer,
                                std::string("\xFF\xFE\x00\x01 1.1. \xD0", 9), "1.1-тармақ 1.1-т. 1-бөлім 5.2 тармағы"};
  for (const auto& a : inputs)
    for (const auto& b : {inputs[6], inputs[7], inputs[8], inputs[10]}) {
      std::vector<Finding> fs;
      ASSERT_TRUE(lintTranslations({{"a.ru.md", a}, {"a.kk.md", b}}, &fs).ok());
      for (auto& f : fs) {
        EXPECT_EQ(f.file, "a.kk.md");
        EXPECT_GE(f.line, 1);
        EXPECT_GE(f.col, 1);
      }
      EXPECT_FALSE(json::parse(findingsJson(fs), nullptr, false).is_discarded());
    }
  std::vector<Finding> fs;
  ASSERT_TRUE(lintTranslations({{"a.ru.md", many}, {"a.kk.md", fewer}}, &fs).ok());
  EXPECT_FALSE(fs.empty());
  EXPECT_EQ(lintTranslations({{"a.ru.md", many}}, &fs).code, kelisim::ErrorCode::BadArgument);
}
