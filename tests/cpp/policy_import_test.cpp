// Importer: the seeds' clause trees against hand-counted facts, and each quirk on its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/sha256.h"
#include "policy/import.h"

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

json importBody(std::string_view text, ImportResult* r = nullptr) {
  ImportResult local;
  ImportResult& res = r ? *r : local;
  EXPECT_TRUE(importText(text, &res).ok());
  json b = json::parse(res.bodyJson, nullptr, false);
  EXPECT_FALSE(b.is_discarded());
  return b;
}

/** Every clause of a body in document order (iterative walk), with a pointer to its node. */
std::vector<const json*> clausesOf(const json& body) {
  std::vector<const json*> out;
  std::vector<std::pair<const json*, size_t>> st{{&body["children"], 0}};
  while (!st.empty()) {
    auto& [arr, i] = st.back();
    if (i >= arr->size()) {
      st.pop_back();
      continue;
    }
    const json& n = (*arr)[i++];
    if (n["k"] == "clause") {
      out.push_back(&n);
      st.push_back({&n["children"], 0});
    }
  }
  return out;
}
std::string nums(const json& body) {
  std::string s;
  for (const json* c : clausesOf(body)) s += (s.empty() ? "" : " ") + (*c)["num"].get<std::string>();
  return s;
}
const json* clause(const json& body, const std::string& num) {
  for (const json* c : clausesOf(body))
    if ((*c)["num"] == num) return c;
  return nullptr;
}
/** Plain text of inlines. */
std::string plain(const json& inl) {
  std::string s;
  std::vector<const json*> st{&inl};
  std::vector<size_t> pos{0};
  while (!st.empty()) {
    const json& a = *st.back();
    size_t& i = pos.back();
    if (i >= a.size()) {
      st.pop_back();
      pos.pop_back();
      continue;
    }
    const json& x = a[i++];
    if (x.is_string()) {
      s += x.get<std::string>();
    } else {
      for (const char* k : {"a", "em", "strong"})
        if (x.contains(k)) {
          st.push_back(&x[k]);
          pos.push_back(0);
        }
    }
  }
  return s;
}
/** Plain text of a clause's first paragraph. */
std::string firstPara(const json& body, const std::string& num) {
  const json* c = clause(body, num);
  if (!c) return "<no clause " + num + ">";
  for (auto& ch : (*c)["children"])
    if (ch["k"] == "p") return plain(ch["c"]);
  return "";
}
std::string title(const json& body, const std::string& num) {
  const json* c = clause(body, num);
  return c && c->contains("title") ? plain((*c)["title"]) : "";
}
size_t topLevelClauses(const json& body) {
  size_t n = 0;
  for (auto& ch : body["children"]) n += ch["k"] == "clause";
  return n;
}
bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

struct Seed {
  const char* path;
  const char* sha256;  // of the seed file (../shared/seeds/NNN_*.txt)
  size_t sections, clauses;
  const char* nums;    // hand-counted from the seed text, in order
};
// Numbers read off the seed texts (every line that starts with a clause number, plus the bold
// numbers in the middle of 001's lines 12 and 22).
const Seed kSeeds[] = {
    {"policies/toolpars/1.md", "ce1e3c8eb771f79a309d3eb0954c215a6d167c8a7f868658b1f14d5a3044746f", 9, 53,
     "1 1.1 1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 2 2.1 2.2 2.3 2.4 3 3.1 3.2 3.3 4 4.1 4.1.1 4.1.2 4.1.3 4.1.4 4.1.5 "
     "5 5.1 5.2 5.3 5.4 6 6.1 6.1.1 6.1.2 6.2 6.2.1 6.2.2 6.2.3 6.2.4 7 7.1 7.2 7.2.1 7.2.2 7.2.3 8 8.1 8.2 8.3 8.4 "
     "9 9.1 9.2 9.3"},
    {"policies/mobile-app/1.md", "7b1c66f1d0745170a9a49cf6a46b42c4a9e4b645fcecfef0118c4e61188c08ec", 6, 27,
     "1 1.1 1.1.1 1.1.2 1.2 1.3 2 2.1 2.2 2.2.1 2.2.2 2.2.3 2.2.4 3 3.1 3.2 3.3 3.3.1 3.3.2 3.3.3 3.4 4 4.1 5 6 6.1 6.2"},
    {"policies/service/1.md", "c5a0d92782d4618e07067f6a58d45a3f252221b89790dfde6db2d55c8d7f666a", 6, 23,
     "1 1.1 1.2 1.3 1.4 2 2.1 2.2 2.3 2.4 2.5 3 3.1 3.2 4 4.1 4.2 4.3 4.4 5 5.1 6 6.1"},
    {"policies/smartaqkol/1.md", "7157809bb3f2dfe58e6e3b78c5269c17c3ab097a920d6744fa0969b837f9405c", 4, 22,
     "1 1.1 1.2 1.3 1.4 1.5 2 2.1 2.2 2.3 2.4 2.6 3 3.1 3.2 3.3 3.4 3.5 4 4.1 4.2 4.3"},
    {"policies/neupusti/1.md", "3156043201a6006ecc1618b9636aff67a10c95e676e8279805f5bc5aaa738a64", 9, 77,
     "1 1.1 1.1.1 1.1.2 1.1.3 1.1.4 1.1.5 1.1.6 1.1.7 1.1.8 2 2.1 2.2 2.3 2.4 3 3.1 3.2 3.2.1 3.2.2 3.2.3 3.2.4 "
     "3.2.5 3.2.6 3.3 3.3.1 3.3.2 3.4 4 4.1 4.1.1 4.1.2 4.1.3 4.1.4 4.1.5 4.1.6 4.1.7 4.1.8 4.1.9 4.1.10 5 5.1 5.2 "
     "5.3 5.4 5.5 6 6.1 6.1.1 6.1.2 6.1.3 6.2 6.2.1 6.2.2 6.2.3 6.2.4 7 7.1 7.2 7.2.1 7.2.2 7.2.3 7.3 7.4 7.5 7.6 "
     "7.7 7.8 7.9 8 8.1 8.2 9 9.1 9.2 9.3 9.4"},
};

}  // namespace

// ---- Seeds -----------------------------------------------------------------------------------

TEST(PolicyImportSeeds, SourcesHoldTheSeedTextVerbatim) {
  for (const Seed& s : kSeeds) {
    std::string src = readRepoFile(s.path);
    ASSERT_TRUE(startsWith(src, "---\n")) << s.path;
    size_t end = src.find("\n---\n", 3);
    ASSERT_NE(end, std::string::npos) << s.path;
    EXPECT_EQ(kelisim::sha256_hex(std::string_view(src).substr(end + 5)), s.sha256) << s.path;
  }
}

TEST(PolicyImportSeeds, EveryNumberedClauseAppearsOnceInOrder) {
  for (const Seed& s : kSeeds) {
    ImportResult r;
    json b = importBody(readRepoFile(s.path), &r);
    EXPECT_EQ(nums(b), s.nums) << s.path;
    EXPECT_EQ(clausesOf(b).size(), s.clauses) << s.path;
    EXPECT_EQ(size_t(r.clauseCount), s.clauses) << s.path;
    EXPECT_EQ(topLevelClauses(b), s.sections) << s.path;
    for (const json* c : clausesOf(b)) EXPECT_EQ((*c)["id"], "p-" + (*c)["num"].get<std::string>());
    EXPECT_TRUE(r.problems.empty()) << s.path << ": " << r.problems[0].message;
  }
}

TEST(PolicyImportSeeds, Toolpars000TabIndentedHeadingsAndBullets) {
  ImportResult r;
  json b = importBody(readRepoFile("policies/toolpars/1.md"), &r);
  EXPECT_EQ(b["title"], "Политика конфиденциальности");
  EXPECT_EQ(title(b, "1"), "Определение терминов");  // "\t1.\tОпределение терминов"
  EXPECT_EQ(title(b, "9"), "Дополнительные условия");
  EXPECT_EQ(title(b, "1.1"), "");
  EXPECT_TRUE(startsWith(firstPara(b, "1.1"), "В настоящей Политике конфиденциальности используются"));  // "1.1 " no dot
  EXPECT_TRUE(startsWith(firstPara(b, "1.1.5"), "«Cookies» — небольшой фрагмент данных"));
  EXPECT_EQ(firstPara(b, "4.1.5"), "Осуществления рекламной деятельности с согласия Пользователя.");
  // "\t•\tИмя Пользователя;" bullets -> one list inside 3.2, after its paragraph.
  const json& kids = (*clause(b, "3.2"))["children"];
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[1]["k"], "ul");
  ASSERT_EQ(kids[1]["items"].size(), 2u);
  EXPECT_EQ(plain(kids[1]["items"][0]), "Имя Пользователя;");
  EXPECT_EQ(plain(kids[1]["items"][1]), "Электронная почта Пользователя.");
  // Nesting follows the numbers; lines count from the top of the source (header included).
  EXPECT_EQ((*clause(b, "1"))["children"][0]["num"], "1.1");
  EXPECT_EQ((*clause(b, "1.1"))["children"][1]["num"], "1.1.1");
  EXPECT_EQ((*clause(b, "9.3"))["line"], r.headerLines + 60);
  // The e-mail in 9.3 becomes a mailto: link.
  std::string dumped = (*clause(b, "9.3")).dump();
  EXPECT_NE(dumped.find("\"href\":\"mailto:support@toolpars.kz\""), std::string::npos);
}

TEST(PolicyImportSeeds, MobileApp001BoldNumbersInsideLines) {
  json b = importBody(readRepoFile("policies/mobile-app/1.md"));
  EXPECT_EQ(b["title"], "ПОЛИТИКА КОНФИДЕНЦИАЛЬНОСТИ МОБИЛЬНОГО ПРИЛОЖЕНИЯ");
  // "1.1. В рамках … понимаются: **1.1.1.** Персональная информация, …" is two clauses.
  EXPECT_EQ(firstPara(b, "1.1"), "В рамках настоящей Политики под «персональной информацией пользователя» понимаются:");
  EXPECT_TRUE(startsWith(firstPara(b, "1.1.1"), "Персональная информация, которую пользователь предоставляет о себе"));
  EXPECT_EQ((*clause(b, "1.1.1"))["line"], (*clause(b, "1.1"))["line"]);
  EXPECT_TRUE(startsWith(firstPara(b, "1.1.2"), "Данные, которые автоматически передаются"));  // "1.1.2 " no dot
  EXPECT_EQ(firstPara(b, "2.2"), "Персональную информацию пользователя МП может использовать в следующих целях:");
  EXPECT_EQ((*clause(b, "2.2"))["children"][1]["num"], "2.2.1");
  // A heading-like top clause vs a top clause that is a long sentence.
  EXPECT_EQ(title(b, "6"), "Изменение Политики конфиденциальности. Применимое законодательство");
  EXPECT_EQ(title(b, "5"), "");
  EXPECT_TRUE(startsWith(firstPara(b, "5"), "Меры, применяемые для защиты персональной информации"));
  // Unnumbered text before clause 1 stays at the top level, in order.
  EXPECT_EQ(b["children"][0]["k"], "p");
  EXPECT_EQ(plain(b["children"][0]["c"]), "Политика конфиденциальности Мобильного приложения");
  EXPECT_EQ(b["children"][3]["k"], "clause");
}

TEST(PolicyImportSeeds, Service002MarkdownHeadingsOfMixedLevels) {
  json b = importBody(readRepoFile("policies/service/1.md"));
  EXPECT_EQ(b["title"], "Политика конфиденциальности");  // "# Политика конфиденциальности"
  EXPECT_EQ(title(b, "1"), "Общие положения");              // "## 1. Общие положения"
  EXPECT_EQ(title(b, "3"), "Цели обработки Персональной информации");  // "### 3. …"
  EXPECT_EQ(title(b, "6"), "Изменение Политики конфиденциальности");
  // 3.2: its paragraph plus four unbulleted lines, each its own paragraph.
  const json& k32 = (*clause(b, "3.2"))["children"];
  ASSERT_EQ(k32.size(), 5u);
  EXPECT_EQ(plain(k32[4]["c"]), "Проведения маркетинговых исследований на основе обезличенных данных.");
  // 5.1: "- " bullets.
  const json& k51 = (*clause(b, "5.1"))["children"];
  ASSERT_EQ(k51.size(), 2u);
  ASSERT_EQ(k51[1]["items"].size(), 5u);
  EXPECT_TRUE(startsWith(plain(k51[1]["items"][4]), "Для защиты прав и законных интересов Правообладателя"));
}

TEST(PolicyImportSeeds, SmartAqkol003EscapedLinkAndSkippedNumber) {
  json b = importBody(readRepoFile("policies/smartaqkol/1.md"));
  EXPECT_EQ(title(b, "1"), "ОБЩИЕ ПОЛОЖЕНИЯ");
  EXPECT_EQ(title(b, "3"), "МЕРЫ БЕЗОПАСНОСТИ, ИСПОЛЬЗУЕМЫЕ ДЛЯ СОХРАНЕНИЯ КОНФИДЕНЦИАЛЬНОСТИ");
  // [\[https://smartaqkol.chat/privacy\]](https://smartaqkol.chat/privacy)
  const json& p = (*clause(b, "1.2"))["children"][0]["c"];
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1], json::parse(R"({"a":["[https://smartaqkol.chat/privacy]"],"href":"https://smartaqkol.chat/privacy"})"));
  EXPECT_EQ(p[2], ".");
  // 2.5 does not exist; 2.6 still nests under 2.
  EXPECT_EQ(clause(b, "2.5"), nullptr);
  EXPECT_EQ((*clause(b, "2"))["children"][4]["num"], "2.6");
  EXPECT_TRUE(startsWith(firstPara(b, "2.6"), "Пользователь может отозвать свое согласие"));
  EXPECT_TRUE(startsWith(firstPara(b, "4.3"), "В случае предоставления Персональных данных третьим лицам"));
}

TEST(PolicyImportSeeds, Neupusti004BulletedNumbersAndBrokenLines) {
  json b = importBody(readRepoFile("policies/neupusti/1.md"));
  // "- 1.1.1. «Администрация сайта» …": a bullet in front of a number is still a clause.
  EXPECT_TRUE(startsWith(firstPara(b, "1.1.1"), "«Администрация сайта» (далее Администрация)"));
  EXPECT_TRUE(startsWith(firstPara(b, "1.1.8"), "«IP-адрес» — уникальный сетевой адрес"));
  // 3.3: its paragraph, a list of five unnumbered bullets, then 3.3.1 and 3.3.2.
  const json& k33 = (*clause(b, "3.3"))["children"];
  ASSERT_EQ(k33.size(), 4u);
  EXPECT_EQ(k33[1]["k"], "ul");
  EXPECT_EQ(k33[1]["items"].size(), 5u);
  EXPECT_EQ(plain(k33[1]["items"][0]), "IP адрес;");
  EXPECT_EQ(k33[2]["num"], "3.3.1");
  EXPECT_EQ(k33[3]["num"], "3.3.2");
  // 4.1.10 after 4.1.9, inside 4.1.
  EXPECT_EQ((*clause(b, "4.1"))["children"].back()["num"], "4.1.10");
  // 7.7 is broken mid-sentence by a blank line: one paragraph.
  EXPECT_EQ((*clause(b, "7.7"))["children"].size(), 1u);
  EXPECT_NE(firstPara(b, "7.7").find("невозможности сохранения какого-либо Содержания"), std::string::npos);
  // «**Neupusti.kz**» is strong text; bare URLs are links without trailing punctuation.
  EXPECT_NE((*clause(b, "1.1.6")).dump().find(R"({"strong":["Neupusti.kz"]})"), std::string::npos);
  EXPECT_NE((*clause(b, "2.3")).dump().find(R"({"a":["https://Neupusti.kz/"],"href":"https://Neupusti.kz/"},".)"),
            std::string::npos);
  EXPECT_TRUE(startsWith(firstPara(b, "9.4"), "Эта политика конфиденциальности была последний раз обновлена 04.08.2022 г."));
}

// ---- Quirks, one by one ----------------------------------------------------------------------

TEST(PolicyImportQuirks, NumbersWithAndWithoutTrailingDots) {
  json b = importBody("1. Общие положения\n1.1 Первый.\n1.2. Второй.\n1.2.1 Третий.\n1.2.2. Четвёртый.\n");
  EXPECT_EQ(nums(b), "1 1.1 1.2 1.2.1 1.2.2");
  EXPECT_EQ(firstPara(b, "1.2.1"), "Третий.");
}

TEST(PolicyImportQuirks, NumbersGluedToText) {
  json b = importBody("Т\n1.Общие положения\n1.1.Пользователь вправе.\n1.2.«Сайт» — это.\n1.3Не пункт.\n");
  EXPECT_EQ(nums(b), "1 1.1 1.2");
  EXPECT_EQ(title(b, "1"), "Общие положения");
  EXPECT_EQ(firstPara(b, "1.1"), "Пользователь вправе.");
  EXPECT_EQ(firstPara(b, "1.2"), "«Сайт» — это.");
}

TEST(PolicyImportQuirks, TabIndentedNumbering) {
  json b = importBody("\t1.\tОпределение терминов\n\t1.1.\tТермин.\n");
  EXPECT_EQ(nums(b), "1 1.1");
  EXPECT_EQ(title(b, "1"), "Определение терминов");
  EXPECT_EQ(firstPara(b, "1.1"), "Термин.");
}

TEST(PolicyImportQuirks, BoldNumbers) {
  json b = importBody("**1.** Общие положения\n**1.1.1.** Персональная информация.\nТекст **2.1.** Ещё.\n");
  EXPECT_EQ(nums(b), "1 1.1.1 2.1");
  EXPECT_EQ(title(b, "1"), "Общие положения");
  EXPECT_EQ(firstPara(b, "1.1.1"), "Персональная информация.");
  EXPECT_EQ(firstPara(b, "2.1"), "Ещё.");
  // Bold that wraps more than the number keeps its emphasis.
  json c = importBody("**1. Общие положения**\n");
  EXPECT_EQ((*clause(c, "1"))["title"], json::parse(R"([{"strong":["Общие положения"]}])"));
}

TEST(PolicyImportQuirks, HeadingsWithAndWithoutDotsAndHashes) {
  json b = importBody("# Политика\n\n## 1. Общие положения ##\n### 2 Права\n3. Ответственность сторон.\n"
                      "4. Стороны несут ответственность в соответствии с законом, если иное не установлено.\n"
                      "## Приложение\nТекст.\n");
  EXPECT_EQ(b["title"], "Политика");
  EXPECT_EQ(title(b, "1"), "Общие положения");
  EXPECT_EQ(title(b, "2"), "Права");  // a `#` line may number without a dot
  EXPECT_EQ(title(b, "3"), "Ответственность сторон");  // short, one trailing dot: a heading
  EXPECT_EQ(title(b, "4"), "");                         // a sentence
  // An unnumbered heading closes clause 4: it and the text after it are top-level.
  const json& top = b["children"];
  ASSERT_EQ(top.size(), 6u);
  EXPECT_EQ(top[4]["k"], "h");
  EXPECT_EQ(plain(top[4]["c"]), "Приложение");
  EXPECT_EQ(top[5]["k"], "p");
}

TEST(PolicyImportQuirks, BulletsOfEveryKind) {
  json b = importBody("1.1. Список:\n• один;\n- два;\n* три;\n\n+ четыре.\n– пять\nПосле.\n");
  const json& k = (*clause(b, "1.1"))["children"];
  ASSERT_EQ(k.size(), 3u);
  ASSERT_EQ(k[1]["k"], "ul");
  EXPECT_EQ(k[1]["items"].size(), 5u);
  EXPECT_EQ(plain(k[1]["items"][4]), "пять");
  EXPECT_EQ(plain(k[2]["c"]), "После.");
}

TEST(PolicyImportQuirks, SkippedAndOrphanNumbers) {
  json b = importBody("1. А\n1.1. а\n1.3. в\n1.3.2.1. глубоко\n3.1. без раздела\n");
  EXPECT_EQ(nums(b), "1 1.1 1.3 1.3.2.1 3.1");
  EXPECT_EQ((*clause(b, "1.3"))["children"][1]["num"], "1.3.2.1");  // nearest existing ancestor
  EXPECT_EQ(b["children"][1]["num"], "3.1");                          // no ancestor: top level
}

TEST(PolicyImportQuirks, DepthIsCappedAtEightLevels) {
  std::string t, num;
  for (int d = 1; d <= 12; ++d) {
    num += (d > 1 ? ".1" : "1");
    t += num + ". x\n";
  }
  json b = importBody(t);
  EXPECT_EQ(clausesOf(b).size(), 12u);
  // Depth of every clause (iterative walk).
  std::vector<int> depths;
  std::vector<std::pair<const json*, int>> st{{&b, 0}};
  while (!st.empty()) {
    auto [n, d] = st.back();
    st.pop_back();
    for (auto& ch : (*n)["children"])
      if (ch["k"] == "clause") {
        depths.push_back(d + 1);
        st.push_back({&ch, d + 1});
      }
  }
  EXPECT_EQ(*std::max_element(depths.begin(), depths.end()), 8);
  EXPECT_EQ(std::count(depths.begin(), depths.end(), 8), 5);  // 8..12 parts: flat at the cap
  EXPECT_EQ((*clause(b, "1.1.1.1.1.1.1.1.1.1.1.1"))["line"], 12);
}

TEST(PolicyImportQuirks, NotClauseNumbers) {
  json b = importBody("Титул\n04.08.2022 г. обновлено.\n5 лет хранения.\n2022. Год.\n1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17 много\n");
  EXPECT_EQ(nums(b), "");
}

TEST(PolicyImportQuirks, InlineMarkup) {
  json b = importBody("1. Т\n1.1. Это **важно** и *тонко*, см. [сайт](https://example.com/a_b) и <https://x.org/y>, "
                      "пишите: a.b@mail.kz. Экран: \\*не курсив\\*, **не закрыто, [не ссылка.\n");
  const json& c = (*clause(b, "1.1"))["children"][0]["c"];
  EXPECT_EQ(c, json::parse(R"([
    "Это ", {"strong":["важно"]}, " и ", {"em":["тонко"]}, ", см. ", {"a":["сайт"],"href":"https://example.com/a_b"},
    " и ", {"a":["https://x.org/y"],"href":"https://x.org/y"}, ", пишите: ", {"a":["a.b@mail.kz"],"href":"mailto:a.b@mail.kz"},
    ". Экран: *не курсив*, **не закрыто, [не ссылка."])"));
}

TEST(PolicyImportQuirks, HrefsAreKeptAsWrittenForTheRenderer) {
  json b = importBody("Т\n[клик](javascript:alert(1)) [x](data:text/html,<b>)\n");
  std::string d = b.dump();
  EXPECT_NE(d.find(R"x("href":"javascript:alert(1)")x"), std::string::npos);
  EXPECT_NE(d.find(R"("href":"data:text/html,<b>")"), std::string::npos);
}

TEST(PolicyImportQuirks, InvalidUtf8IsReplacedAndReported) {
  ImportResult r;
  json b = importBody("Заголовок\n1. Раз\xFF\xFE два \xD0\n2. \xE2\x82 три\n", &r);
  EXPECT_EQ(title(b, "1"), "Раз\xEF\xBF\xBD\xEF\xBF\xBD два \xEF\xBF\xBD");  // one U+FFFD per bad byte
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].code, "invalid-utf8");
  EXPECT_EQ(r.problems[0].line, 2);
  EXPECT_EQ(r.problems[0].col, 7);
  EXPECT_EQ(r.problems[1].line, 3);
}

TEST(PolicyImportQuirks, CrLfAndBom) {
  json b = importBody("\xEF\xBB\xBFЗаголовок\r\n1. Раздел\r\n1.1. Текст.\r\n");
  EXPECT_EQ(b["title"], "Заголовок");
  EXPECT_EQ(title(b, "1"), "Раздел");
  EXPECT_EQ(firstPara(b, "1.1"), "Текст.");
}

TEST(PolicyImportHeader, FencedHeaderWithComments) {
  ImportResult r;
  json b = importBody("---\nid: demo\n# comment\nversion: 2\ntitle: Политика: версия 2\nbroken line\nid: again\n---\n"
                      "Текст\n1. Раздел\n", &r);
  EXPECT_EQ(r.headerLines, 8);
  EXPECT_EQ(json::parse(r.headerJson), json::parse(R"({"id":"again","version":"2","title":"Политика: версия 2"})"));
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].code, "header-bad-line");
  EXPECT_EQ(r.problems[0].line, 6);
  EXPECT_EQ(r.problems[1].code, "header-duplicate-key");
  EXPECT_EQ((*clause(b, "1"))["line"], 10);
}

TEST(PolicyImportHeader, UnfencedHeaderAndUnclosedFence) {
  ImportResult r;
  importBody("id: x\nversion: 1\n\nТекст\n", &r);
  EXPECT_EQ(json::parse(r.headerJson), json::parse(R"({"id":"x","version":"1"})"));
  ImportResult u;
  json b = importBody("---\nid: x\n1. Раздел\n", &u);
  EXPECT_EQ(u.headerJson, "{}");
  ASSERT_EQ(u.problems.size(), 1u);
  EXPECT_EQ(u.problems[0].code, "header-unclosed");
  EXPECT_EQ(nums(b), "1");
  ImportResult n;
  importBody("Политика: общие положения\n", &n);  // not an ASCII key: text
  EXPECT_EQ(n.headerJson, "{}");
}

TEST(PolicyImportRobustness, EmptyAndPathologicalInputs) {
  for (std::string t : {std::string(), std::string("\n\n\n"), std::string(100000, '*'), std::string(50000, '['),
                        std::string(20000, '\\'), std::string("**[*") + std::string(60000, 'x'),
                        std::string("- ") + std::string(100000, '#'), std::string("1.") + std::string(100000, '.')}) {
    ImportResult r;
    ASSERT_TRUE(importText(t, &r).ok());
    EXPECT_FALSE(json::parse(r.bodyJson, nullptr, false).is_discarded());
  }
  // Inputs that would be quadratic for a naive URL/e-mail scan (each must finish).
  for (std::string unit : {"a+", "a%", "http:", "x@", "[a](", "**1.1.** ", "п. 1."}) {
    std::string t = "1. A\n1.1. ";
    while (t.size() < 2000000) t += unit;
    ImportResult r;
    ASSERT_TRUE(importText(t, &r).ok()) << unit;
  }
  std::string alternating;
  for (int i = 0; i < 20000; ++i) alternating += "**a *b [c ";
  ImportResult r;
  ASSERT_TRUE(importText(alternating, &r).ok());
  std::string big(kMaxSourceBytes + 1, 'a');
  EXPECT_EQ(importText(big, &r).code, kelisim::ErrorCode::BadInput);
}

TEST(PolicyImportJson, CombinedResultIsValidJson) {
  std::string out;
  ASSERT_TRUE(importJson("---\nid: a\n---\nT\n1. Раз\xFF\n", &out).ok());
  json j = json::parse(out, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["header"]["id"], "a");
  EXPECT_EQ(j["body"]["children"][0]["num"], "1");
  EXPECT_EQ(j["problems"][0]["code"], "invalid-utf8");
}
