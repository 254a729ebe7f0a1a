// SearchIndex / search / searchJson: case folding for ru/kk/en, ё = е, per-clause results in
// document order, highlighted and escaped snippets.
#include <gtest/gtest.h>

#include <string>

#include "policy/body.h"
#include "policy/search.h"

using namespace kelisim::policy;

namespace {

Body parse(const std::string& json) {
  Body b;
  auto e = parseBody(json, &b);
  EXPECT_TRUE(e.ok()) << e.message;
  return b;
}

const char* kBody = R"({"format":1,"title":"","children":[
  {"k":"p","c":["Преамбула: персональные данные вне пунктов"]},
  {"k":"clause","num":"1","title":["ОБЩИЕ ПОЛОЖЕНИЯ"],"children":[
    {"k":"clause","num":"1.1","children":[{"k":"p","c":["Оператор обрабатывает ПЕРСОНАЛЬНЫЕ данные; её объём ограничен."]},
      {"k":"clause","num":"1.1.1","children":[{"k":"p","c":["Файлы ",{"strong":["Cookies"]}," хранятся 7 дней."]}]}]},
    {"k":"clause","num":"1.2","children":[{"k":"ul","items":[["Қазақстан Республикасының заңы"],["ӘҒҚҢӨҰҮҺІ бас әріптер"]]}]}]},
  {"k":"clause","num":"2","children":[{"k":"p","c":["Данные <b>не</b> & передаются третьим лицам. Персональные сведения."]}]}]})";

std::vector<std::string> nums(const std::vector<SearchHit>& hits) {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(h.num);
  return out;
}

std::vector<std::string> find(const std::string& q, int limit = 0) {
  SearchOptions o;
  o.limit = limit;
  return nums(search(parse(kBody), q, o));
}

using V = std::vector<std::string>;

}  // namespace

TEST(PolicySearch, RussianCaseInsensitiveInDocumentOrder) {
  EXPECT_EQ(find("персональные"), (V{"1.1", "2"}));
  EXPECT_EQ(find("ПЕРСОНАЛЬНЫЕ"), (V{"1.1", "2"}));
  EXPECT_EQ(find("ПерсоНальн"), (V{"1.1", "2"}));
  EXPECT_EQ(find("общие положения"), (V{"1"}));  // the title is part of the clause's text
  EXPECT_EQ(find("данные"), (V{"1.1", "2"}));     // text outside clauses is not a result
}

TEST(PolicySearch, YoEqualsYe) {
  EXPECT_EQ(find("её объём"), (V{"1.1"}));
  EXPECT_EQ(find("ее объем"), (V{"1.1"}));
  EXPECT_EQ(find("ЕЁ ОБЪЁМ"), (V{"1.1"}));
}

TEST(PolicySearch, Kazakh) {
  EXPECT_EQ(find("қазақстан"), (V{"1.2"}));
  EXPECT_EQ(find("ҚАЗАҚСТАН РЕСПУБЛИКАСЫНЫҢ"), (V{"1.2"}));
  EXPECT_EQ(find("әғқңөұүһі"), (V{"1.2"}));
  EXPECT_EQ(find("ӘҒҚҢӨҰҮҺІ"), (V{"1.2"}));
  EXPECT_EQ(find("әріптер"), (V{"1.2"}));
}

TEST(PolicySearch, EnglishAndMarkup) {
  EXPECT_EQ(find("cookies"), (V{"1.1.1"}));
  EXPECT_EQ(find("COOKIES 7 дней"), (V{"1.1.1"}));  // every word, anywhere in the clause
  EXPECT_EQ(find("cookies персональные"), V{});    // not in one clause
  EXPECT_EQ(find("<b>"), (V{"2"}));
  EXPECT_EQ(find("&"), (V{"2"}));
}

TEST(PolicySearch, EmptyQueryAndLimit) {
  EXPECT_EQ(find(""), V{});
  EXPECT_EQ(find("   \t "), V{});
  EXPECT_EQ(find("е", 2).size(), 2u);
  EXPECT_EQ(find("е", 2), (V{"1", "1.1"}));
  EXPECT_EQ(find("е").size(), 5u);
  EXPECT_EQ(find("zzz"), V{});
}

TEST(PolicySearch, SnippetMarksAndEscapes) {
  Body b = parse(kBody);
  SearchOptions o;
  auto hits = search(b, "ДАННЫЕ", o);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, "p-1.1");
  EXPECT_EQ(hits[0].snippet, "Оператор обрабатывает ПЕРСОНАЛЬНЫЕ <mark>данные</mark>; её объём ограничен.");
  EXPECT_EQ(hits[1].snippet, "<mark>Данные</mark> &lt;b&gt;не&lt;/b&gt; &amp; передаются третьим лицам. Персональные сведения.");
  hits = search(b, "<b>", o);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].snippet, "Данные <mark>&lt;b&gt;</mark>не&lt;/b&gt; &amp; передаются третьим лицам. Персональные сведения.");
  // Overlapping words are marked once.
  hits = search(b, "персон персональные", o);
  ASSERT_EQ(hits.size(), 2u);
  // 40 code points of context before the first hit, starting at a word.
  EXPECT_EQ(hits[1].snippet, "\xE2\x80\xA6&lt;b&gt;не&lt;/b&gt; &amp; передаются третьим лицам. <mark>Персональные</mark> сведения.");
}

TEST(PolicySearch, LongClauseSnippetIsCutAtSpaces) {
  std::string words;
  for (int i = 0; i < 100; ++i) words += "слово" + std::to_string(i) + " ";
  words += "НАЙДИ ";
  for (int i = 100; i < 200; ++i) words += "слово" + std::to_string(i) + " ";
  Body b = parse(R"({"format":1,"title":"","children":[{"k":"clause","num":"3","children":[{"k":"p","c":[")" + words + "\"]}]}]}");
  auto hits = search(b, "найди", SearchOptions());
  ASSERT_EQ(hits.size(), 1u);
  const std::string& s = hits[0].snippet;
  EXPECT_EQ(s.rfind("\xE2\x80\xA6слово", 0), 0u) << s;  // starts with … at a word start
  EXPECT_NE(s.find("<mark>НАЙДИ</mark>"), std::string::npos);
  EXPECT_EQ(s.compare(s.size() - 3, 3, "\xE2\x80\xA6"), 0) << s;
  EXPECT_NE(s.substr(s.size() - 4, 1), " ");
  EXPECT_LT(s.size(), 600u);
}

TEST(PolicySearch, IndexIsReusable) {
  Body b = parse(kBody);
  SearchIndex idx(b);
  SearchOptions o;
  EXPECT_EQ(nums(idx.find("данные", o)), (V{"1.1", "2"}));
  EXPECT_EQ(nums(idx.find("cookies", o)), (V{"1.1.1"}));
  EXPECT_EQ(searchJson(idx.find("cookies", o)),
            "[{\"id\":\"p-1.1.1\",\"num\":\"1.1.1\",\"snippet\":\"Файлы <mark>Cookies</mark> хранятся 7 дней.\"}]");
  EXPECT_EQ(searchJson({}), "[]");
}
