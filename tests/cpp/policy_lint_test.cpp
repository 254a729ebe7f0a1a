// Linter: what it must find in the seeds, the fixture corpus (shared with the wasm tests),
// and the output formats.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "policy/lint.h"

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
std::vector<Finding> lintText(std::string_view text) {
  std::vector<Finding> out;
  EXPECT_TRUE(lint(text, &out).ok());
  return out;
}
std::vector<Finding> lintFile(const std::string& rel) { return lintText(readRepoFile(rel)); }
std::vector<Finding> withCode(const std::vector<Finding>& f, const std::string& code) {
  std::vector<Finding> out;
  for (auto& x : f)
    if (x.code == code) out.push_back(x);
  return out;
}
/** The seed text without the policies/ header: lint must work on raw text too. */
std::string rawSeed(const std::string& rel) {
  std::string s = readRepoFile(rel);
  return s.substr(s.find("\n---\n", 3) + 5);
}
int headerLines(const std::string& rel) {
  std::string s = readRepoFile(rel);
  size_t end = s.find("\n---\n", 3) + 5;
  int n = 0;
  for (size_t i = 0; i < end; ++i) n += s[i] == '\n';
  return n;
}

const char* kSeeds[] = {"policies/toolpars/1.md", "policies/mobile-app/1.md", "policies/service/1.md",
                        "policies/smartaqkol/1.md", "policies/neupusti/1.md"};

}  // namespace

// ---- Seeds -----------------------------------------------------------------------------------

TEST(PolicyLintSeeds, SmartAqkol003MissingClause2_5) {
  for (bool raw : {false, true}) {
    const std::string f = "policies/smartaqkol/1.md";
    auto gaps = withCode(raw ? lintText(rawSeed(f)) : lintFile(f), "numbering-gap");
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_EQ(gaps[0].severity, "warning");
    EXPECT_EQ(gaps[0].clause, "2.6");
    EXPECT_EQ(gaps[0].line, (raw ? 0 : headerLines(f)) + 27);  // "2.6. Пользователь может отозвать…"
    EXPECT_EQ(gaps[0].col, 1);
    EXPECT_EQ(gaps[0].messageEn, "clause 2.5 is missing between 2.4 and 2.6");
    EXPECT_EQ(gaps[0].messageRu, "пропущен пункт 2.5 между 2.4 и 2.6");
  }
}

TEST(PolicyLintSeeds, Toolpars000MixedKazakhstanAndBelarus) {
  const std::string f = "policies/toolpars/1.md";
  for (bool raw : {false, true}) {  // with the header's jurisdiction: KZ, and without any header
    auto mixed = withCode(raw ? lintText(rawSeed(f)) : lintFile(f), "mixed-jurisdiction");
    ASSERT_EQ(mixed.size(), 1u);
    EXPECT_EQ(mixed[0].clause, "7.1");  // "… в соответствии с законодательством РБ, …"
    EXPECT_EQ(mixed[0].line, (raw ? 0 : headerLines(f)) + 47);
    EXPECT_EQ(mixed[0].col, 209);
    EXPECT_NE(mixed[0].messageEn.find("Belarus"), std::string::npos);
    EXPECT_NE(mixed[0].messageEn.find("Kazakhstan"), std::string::npos);
    EXPECT_NE(mixed[0].messageRu.find("Беларуси"), std::string::npos);
  }
}

TEST(PolicyLintSeeds, UseMeansConsentClauses) {
  struct { const char* file; const char* clause; int line; } kExpected[] = {
      {"policies/toolpars/1.md", "2.1", 12},   // "Использование Пользователем … означает согласие"
      {"policies/mobile-app/1.md", "", 8},     // "Использование Мобильного Приложения … означает безоговорочное согласие"
      {"policies/neupusti/1.md", "2.1", 23},   // "- 2.1. Использование сайта … означает согласие"
      {"policies/service/1.md", "1.2", 9},     // "1.2. Заключая Соглашение, вы выражаете … согласие"
  };
  for (auto& e : kExpected) {
    auto hits = withCode(lintFile(e.file), "consent-by-use");
    ASSERT_EQ(hits.size(), 1u) << e.file;
    EXPECT_EQ(hits[0].severity, "warning");
    EXPECT_NE(hits[0].messageEn.find("152-FZ art. 9(1)"), std::string::npos);
    EXPECT_EQ(hits[0].clause, e.clause);
    EXPECT_EQ(hits[0].line, headerLines(e.file) + e.line) << e.file;
  }
  // 003's 7-day update rule (1.2: "считаются принятыми … продолжает пользоваться") is the
  // update rule kelisim implements, not a "use means consent" clause.
  EXPECT_TRUE(withCode(lintFile("policies/smartaqkol/1.md"), "consent-by-use").empty());
  // 002: "бессрочное безотзывное согласие" is reported as irrevocable.
  auto irr = withCode(lintFile("policies/service/1.md"), "irrevocable-consent");
  ASSERT_EQ(irr.size(), 1u);
  EXPECT_EQ(irr[0].clause, "1.2");
}

TEST(PolicyLintSeeds, NoFalseBrokenReferences) {
  // 004 cites "п.п. 5.2. и 5.3.", "п. 4", "п.п. 5.2., 5.3. и 7.2."; 000 "п. 5.2.", "п. 7.2.";
  // 003 "пункте 2.1"; all exist.
  for (const char* f : kSeeds) {
    auto f1 = lintFile(f);
    EXPECT_TRUE(withCode(f1, "broken-reference").empty()) << f;
    EXPECT_FALSE(hasErrors(f1)) << f;
  }
}

TEST(PolicyLintSeeds, BrokenReferenceIsFoundOnceTheTargetIsGone) {
  // The same 004 text with clause 5.3 renumbered: its three references now break.
  std::string t = readRepoFile("policies/neupusti/1.md");
  size_t at = t.find("- 5.3. При утрате");
  ASSERT_NE(at, std::string::npos);
  t.replace(at, 6, "- 5.6.");
  auto refs = withCode(lintText(t), "broken-reference");
  ASSERT_EQ(refs.size(), 3u);
  for (auto& r : refs) {
    EXPECT_EQ(r.severity, "error");
    EXPECT_EQ(r.messageEn, "reference to clause 5.3, which does not exist");
  }
  EXPECT_EQ(refs[0].clause, "3.4");
  EXPECT_EQ(refs[1].clause, "6.2.2");
  EXPECT_EQ(refs[2].clause, "7.1");
}

TEST(PolicyLintSeeds, DatesContactsAndRetention) {
  auto tool = lintFile("policies/toolpars/1.md");
  EXPECT_EQ(withCode(tool, "no-date").size(), 1u);             // publishedAt: unknown, no date in the text
  EXPECT_TRUE(withCode(tool, "no-contact").empty());           // 9.3 support@toolpars.kz
  ASSERT_EQ(withCode(tool, "retention-unlimited").size(), 1u); // 5.1 "без ограничения срока"
  EXPECT_EQ(withCode(tool, "retention-unlimited")[0].clause, "5.1");
  auto neu = lintFile("policies/neupusti/1.md");
  EXPECT_TRUE(withCode(neu, "no-date").empty());               // 9.4 "последний раз обновлена 04.08.2022"
  EXPECT_TRUE(withCode(neu, "no-contact").empty());            // "находящимся по адресу: … Маркова, 22/37"
  EXPECT_TRUE(withCode(lintText(rawSeed("policies/neupusti/1.md")), "no-date").empty());
  auto app = lintFile("policies/mobile-app/1.md");
  EXPECT_EQ(withCode(app, "no-contact").size(), 1u);
  EXPECT_EQ(withCode(app, "no-retention").size(), 1u);
  EXPECT_TRUE(withCode(lintFile("policies/service/1.md"), "no-retention").empty());     // 4.3 "в течение 5 лет"
  EXPECT_TRUE(withCode(lintFile("policies/smartaqkol/1.md"), "no-retention").empty());  // 2.4
}

TEST(PolicyLintSeeds, ConsentPurposesNeedAnOptionalCategory) {
  // Raw 000: 4.1.4 (newsletter "с его согласия") and 4.1.5 (advertising "с согласия
  // Пользователя") have no category; 7.2.3 "с согласия Пользователя" is not a purpose.
  auto raw = withCode(lintText(rawSeed("policies/toolpars/1.md")), "consent-purpose-no-category");
  ASSERT_EQ(raw.size(), 2u);
  EXPECT_EQ(raw[0].clause, "4.1.4");
  EXPECT_EQ(raw[1].clause, "4.1.5");
  // policies/toolpars/1.md declares newsletter (4.1.4) and marketing (4.1.5).
  EXPECT_TRUE(withCode(lintFile("policies/toolpars/1.md"), "consent-purpose-no-category").empty());
  // 004: 4.1.6 (account creation "если Пользователь дал согласие") stays uncovered.
  auto neu = withCode(lintFile("policies/neupusti/1.md"), "consent-purpose-no-category");
  ASSERT_EQ(neu.size(), 1u);
  EXPECT_EQ(neu[0].clause, "4.1.6");
}

TEST(PolicyLintSeeds, DemoVersionsFixWhatTheyClaimToFix) {
  auto s2 = lintFile("policies/smartaqkol/2.md");
  EXPECT_TRUE(withCode(s2, "numbering-gap").empty());
  EXPECT_TRUE(withCode(s2, "no-date").empty());
  EXPECT_TRUE(withCode(s2, "no-contact").empty());
  auto t2 = lintFile("policies/toolpars/2.md");
  EXPECT_TRUE(withCode(t2, "mixed-jurisdiction").empty());
  EXPECT_TRUE(withCode(t2, "retention-unlimited").empty());
  EXPECT_TRUE(withCode(t2, "no-retention").empty());
  EXPECT_TRUE(withCode(t2, "consent-purpose-no-category").empty());
}

// ---- Fixture corpus (also run against the wasm build by tests/node/cli.test.js) --------------

TEST(PolicyLintFixtures, ExpectedFindings) {
  json cases = json::parse(readRepoFile("tests/fixtures/policy/lint-cases.json"), nullptr, false);
  ASSERT_FALSE(cases.is_discarded());
  ASSERT_GE(cases["cases"].size(), 7u);
  for (auto& c : cases["cases"]) {
    std::string file = c["file"];
    auto got = lintFile("tests/fixtures/policy/lint/" + file);
    ASSERT_EQ(got.size(), c["findings"].size()) << file << "\n" << findingsText(file, got);
    for (size_t i = 0; i < got.size(); ++i) {
      const json& e = c["findings"][i];
      EXPECT_EQ(got[i].severity, e[0]) << file << " #" << i;
      EXPECT_EQ(got[i].code, e[1]) << file << " #" << i;
      EXPECT_EQ(got[i].clause, e[2]) << file << " #" << i;
      EXPECT_EQ(got[i].line, e[3]) << file << " #" << i;
      EXPECT_EQ(got[i].col, e[4]) << file << " #" << i;
    }
  }
}

TEST(PolicyLintFixtures, EveryFindingHasBothLanguages) {
  for (const char* f : {"tests/fixtures/policy/lint/numbering.md", "tests/fixtures/policy/lint/references.md",
                        "tests/fixtures/policy/lint/consent.md", "tests/fixtures/policy/lint/jurisdiction.md",
                        "tests/fixtures/policy/lint/use-means-consent.md",
                        "tests/fixtures/policy/lint/consent-document-missing.md",
                        "tests/fixtures/policy/lint/header.md", "tests/fixtures/policy/lint/invalid-utf8.md"}) {
    for (auto& x : lintFile(f)) {
      EXPECT_FALSE(x.messageEn.empty()) << x.code;
      EXPECT_EQ(x.messageEn.find_first_of("\xD0\xD1"), std::string::npos) << x.code;  // no Cyrillic in English
      // Russian messages are in Cyrillic (lead bytes D0/D1).
      EXPECT_NE(x.messageRu.find_first_of("\xD0\xD1"), std::string::npos) << x.code;
    }
  }
}

// ---- Output formats --------------------------------------------------------------------------

TEST(PolicyLintFormat, CompilerStyleTextAndJson) {
  std::vector<Finding> f = lintFile("tests/fixtures/policy/lint/numbering.md");
  std::string text = findingsText("numbering.md", f);
  EXPECT_NE(text.find("numbering.md:5:1: error[duplicate-number]: clause 1.2 is numbered twice (first at line 4)\n"),
            std::string::npos);
  std::string ru = findingsText("numbering.md", f, "ru");
  EXPECT_NE(ru.find("numbering.md:6:1: warning[numbering-gap]: пропущен пункт 1.3 между 1.2 и 1.4\n"), std::string::npos);
  json j = json::parse(findingsJson(f), nullptr, false);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), f.size());
  EXPECT_EQ(j[3], json::parse(R"x({"severity":"error","code":"duplicate-number","clause":"1.2","line":5,"col":1,
      "message":{"en":"clause 1.2 is numbered twice (first at line 4)","ru":"пункт 1.2 пронумерован дважды (впервые: строка 4)"}})x"));
  EXPECT_TRUE(hasErrors(f));
  EXPECT_FALSE(hasErrors(lintFile("tests/fixtures/policy/lint/clean.md")));
  EXPECT_EQ(findingsJson({}), "[]");
  EXPECT_EQ(findingsText("x", {}), "");
}

TEST(PolicyLintRobustness, PathologicalInputs) {
  std::string refs = "1. А\n1.1. ";
  for (int i = 0; i < 20000; ++i) refs += "п. 9.9, ";
  auto f = lintText(refs);
  EXPECT_EQ(withCode(f, "broken-reference").size(), 20000u);
  std::string many = "1. А\n1.1. ";
  for (int i = 0; i < 70000; ++i) many += "п. 9.9, ";
  auto capped = lintText(many);
  ASSERT_EQ(capped.size(), 65535u);  // capped, and says so
  EXPECT_EQ(capped.back().code, "too-many-findings");
  std::string nums;
  for (int i = 0; i < 5000; ++i) nums += "1.1. x\n";
  EXPECT_EQ(withCode(lintText(nums), "duplicate-number").size(), 4999u);
  auto zero = lintText("1. А\n1.0. ноль\n1.1. один\n2.0. ноль\n");  // zero-based parts: no crash, no disorder
  EXPECT_TRUE(withCode(zero, "numbering-order").empty());
  for (std::string t : {std::string(), std::string("\xFF\xFE\xFD"), std::string(200000, '@'), std::string(100000, '.'),
                        std::string("п.") + std::string(100000, ' ')}) {
    std::vector<Finding> out;
    EXPECT_TRUE(lint(t, &out).ok());
  }
}
