// History: the version in force at instants around a publication (publication vs effective
// dates, unknown dates), and the Atom feed the build writes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policy/build.h"
#include "policy/history.h"
#include "policy/lint.h"

using namespace kelisim::policy;
using json = nlohmann::json;

namespace {

std::string source(const std::string& version, const std::string& dates, const std::string& text) {
  return "---\nid: demo\nversion: " + version + "\n" + dates +
         "category.necessary: required\ncategory.necessary.title.ru: Необходимые\n"
         "category.necessary.title.kk: Қажетті\ncategory.necessary.title.en: Necessary\n---\n" + text;
}
/** Built index.json (and feed) of: v1 published and in force 2025-01-01T00:00Z; v2 published
 *  2025-06-01T12:00+05:00, in force 7 days later (2025-06-08T12:00+05:00). */
FileList built() {
  FileList out;
  kelisim::Error e = buildPolicy(
      {{"demo/1.md", source("1", "publishedAt: 2025-01-01T00:00:00Z\n", "Политика\n1. Раздел\n1.1. Текст.\n")},
       {"demo/2.md", source("2", "publishedAt: 2025-06-01T12:00+05:00\neffectiveAt: 2025-06-08T12:00:00+05:00\n",
                            "Политика\n1. Раздел\n1.1. Текст.\n1.2. Новый пункт & <тег>.\n")}},
      &out);
  EXPECT_TRUE(e.ok()) << e.message;
  return out;
}
std::string fileOf(const FileList& f, const std::string& path) {
  for (auto& x : f)
    if (x.first == path) return x.second;
  ADD_FAILURE() << path << " missing";
  return "";
}
json at(const std::string& index, const std::string& instant, bool* found = nullptr) {
  std::string out;
  kelisim::Error e = historyAt(index, instant, "json", &out, found);
  EXPECT_TRUE(e.ok()) << e.message;
  return json::parse(out, nullptr, false);
}

}  // namespace

TEST(PolicyHistory, VersionInForceAroundAPublication) {
  std::string index = fileOf(built(), "index.json");
  bool found = true;
  json before = at(index, "2024-12-31T23:59:59.999Z", &found);
  EXPECT_FALSE(found);
  EXPECT_EQ(before["version"], nullptr);
  EXPECT_EQ(at(index, "2025-01-01T00:00:00Z", &found)["version"], "1");
  EXPECT_TRUE(found);
  // Published but not yet in force: version 1 still applies, version 2 is pending.
  json published = at(index, "2025-06-01T12:00:00+05:00");
  EXPECT_EQ(published["version"], "1");
  EXPECT_EQ(published["certain"], true);
  EXPECT_EQ(published["pending"], json::parse(R"({"version":"2","publishedAt":"2025-06-01T12:00+05:00",
                                                   "effectiveAt":"2025-06-08T12:00:00+05:00"})"));
  EXPECT_EQ(at(index, "2025-06-01T06:59:59Z")["pending"], nullptr);  // a second before publication
  json last = at(index, "2025-06-08T06:59:59.999Z");                  // a millisecond before it takes effect
  EXPECT_EQ(last["version"], "1");
  EXPECT_EQ(last["pending"]["version"], "2");
  json now = at(index, "2025-06-08T07:00:00Z");                       // the same instant as 12:00+05:00
  EXPECT_EQ(now["version"], "2");
  EXPECT_EQ(now["publishedAt"], "2025-06-01T12:00+05:00");
  EXPECT_EQ(now["effectiveAt"], "2025-06-08T12:00:00+05:00");
  EXPECT_EQ(now["pending"], nullptr);
  EXPECT_EQ(now["id"], "demo");
  // Key order is fixed (the version first), as the CLI prints it.
  std::string out;
  ASSERT_TRUE(historyAt(index, "2025-06-08T07:00:00Z", "json", &out).ok());
  EXPECT_EQ(out.compare(0, 15, "{\"version\":\"2\",") , 0) << out;
  ASSERT_TRUE(historyAt(index, "2025-06-03T00:00:00+05:00", "text", &out).ok());
  EXPECT_EQ(out, "demo at 2025-06-03T00:00:00+05:00: version 1 in force since 2025-01-01T00:00:00Z (published "
                 "2025-01-01T00:00:00Z)\nversion 2 published 2025-06-01T12:00+05:00, takes effect 2025-06-08T12:00:00+05:00\n");
}

TEST(PolicyHistory, UnknownDatesAreNotGuessed) {
  // The seed service: version 1 states no date, version 2 (demo) is dated.
  std::string index = R"({"id":"service","versions":[{"version":"1","publishedAt":null,"effectiveAt":null},
    {"version":"2","publishedAt":"2026-11-25T10:00:00+05:00","effectiveAt":"2026-11-25T10:00:00+05:00"}]})";
  json before = at(index, "2026-11-25T09:59:59+05:00");
  EXPECT_EQ(before["version"], "1");
  EXPECT_EQ(before["certain"], false);
  EXPECT_EQ(before["effectiveAt"], nullptr);
  std::string out;
  ASSERT_TRUE(historyAt(index, "2026-11-25T09:59:59+05:00", "text", &out).ok());
  EXPECT_EQ(out, "service at 2026-11-25T09:59:59+05:00: version 1 in force, date unknown (in force at the latest until "
                 "version 2 takes effect 2026-11-25T10:00:00+05:00)\n");
  EXPECT_EQ(at(index, "2026-11-25T10:00:00+05:00")["certain"], true);
}

TEST(PolicyHistory, BadInputIsNamed) {
  std::string index = fileOf(built(), "index.json"), out;
  kelisim::Error e = historyAt(index, "2025-06-08", "json", &out);
  EXPECT_EQ(e.code, kelisim::ErrorCode::BadArgument);
  EXPECT_NE(e.message.find("--at must be an ISO 8601 instant with an offset"), std::string::npos);
  EXPECT_EQ(historyAt(index, "2025-02-29T00:00:00Z", "json", &out).code, kelisim::ErrorCode::BadArgument);
  EXPECT_EQ(historyAt(index, "2025-06-08T00:00:00Z", "xml", &out).code, kelisim::ErrorCode::BadArgument);
  e = historyAt("{\"id\":\"x\"}", "2025-06-08T00:00:00Z", "json", &out);
  EXPECT_EQ(e.code, kelisim::ErrorCode::BadInput);
  EXPECT_NE(e.message.find("not a built policy index"), std::string::npos);
  e = historyAt("{\"id\":\"x\",\"versions\":[{\"version\":\"1\",\"publishedAt\":\"yesterday\"}]}", "2025-06-08T00:00:00Z", "json", &out);
  EXPECT_NE(e.message.find("version 1: dates must be ISO 8601 instants or null"), std::string::npos) << e.message;
  EXPECT_EQ(historyAt("[", "2025-06-08T00:00:00Z", "json", &out).code, kelisim::ErrorCode::BadInput);
}

TEST(PolicyHistory, AtomFeedOfTheBuild) {
  FileList out = built();
  std::string feed = fileOf(out, "feed.xml");
  // Newest first; RFC 3339 needs seconds (12:00 -> 12:00:00); text is XML-escaped.
  size_t e2 = feed.find("<id>urn:kelisim:policy:demo:2</id>"), e1 = feed.find("<id>urn:kelisim:policy:demo:1</id>");
  ASSERT_NE(e2, std::string::npos);
  ASSERT_NE(e1, std::string::npos);
  EXPECT_LT(e2, e1);
  EXPECT_NE(feed.find("<updated>2025-06-01T12:00:00+05:00</updated>"), std::string::npos) << feed;
  EXPECT_NE(feed.find("<link rel=\"related\" type=\"application/json\" href=\"2/diff.json\" title=\"1 → 2\"/>"), std::string::npos);
  EXPECT_NE(feed.find("<summary type=\"text\">Добавлены пункты: 1.2.</summary>"), std::string::npos) << feed;
  EXPECT_NE(feed.find("<summary type=\"text\">Первая редакция</summary>"), std::string::npos);
  // The linked diff is the viewer's diff of the two versions.
  json diff = json::parse(fileOf(out, "2/diff.json"));
  EXPECT_EQ(diff["summary"]["added"], json::parse(R"(["1.2"])"));
  // Escaping and undated versions.
  FeedInfo info{"x", "A & B <c>", "en", "", ""};
  std::string f = atomFeed(info, {{"1", "", "", "1/body.json", "", ""}, {"2", "2025-01-01T00:00Z", "x < y", "2/body.json", "2/diff.json", "1"}});
  EXPECT_NE(f.find("<title>A &amp; B &lt;c&gt; — History of changes</title>"), std::string::npos) << f;
  EXPECT_NE(f.find("<summary type=\"text\">x &lt; y</summary>"), std::string::npos);
  EXPECT_NE(f.find("<!-- version 1: publication date unknown, not listed -->"), std::string::npos);
  EXPECT_EQ(f.find("urn:kelisim:policy:x:1<"), std::string::npos);
  EXPECT_EQ(atomFeed(info, {{"1", "", "", "1/body.json", "", ""}}), "");  // no dated version: no feed
}

TEST(PolicyHistory, LintWarnsWhenTheTextsDateDisagreesWithPublishedAt) {
  auto mismatches = [](const std::string& pub, const std::string& line) {
    std::vector<kelisim::policy::Finding> fs;
    EXPECT_TRUE(kelisim::policy::lint(source("1", "publishedAt: " + pub + "\n", "Политика\n1. Раздел\n1.1. Текст.\n" + line + "\n"), &fs).ok());
    std::string out;
    for (auto& f : fs)
      if (f.code == "date-mismatch") out += f.clause + "@" + std::to_string(f.line) + ":" + std::to_string(f.col) + " " + f.messageEn + "\n";
    return out;
  };
  EXPECT_EQ(mismatches("2026-03-01T10:00:00+05:00", "1.2. Дата последнего обновления: 02.03.2026."),
            "1.2@13:34 the text gives 2026-03-02 as its date, but the header's publishedAt is 2026-03-01T10:00:00+05:00: "
            "the banner's update rule counts from publishedAt (policies/README.md)\n");
  EXPECT_EQ(mismatches("2026-03-01T10:00:00+05:00", "1.2. Дата последнего обновления: 01.03.2026."), "");
  EXPECT_EQ(mismatches("2026-03-01T10:00:00+05:00", "1.2. Соңғы жаңартылған күні: 2026 жылғы 1 наурыз."), "");
  EXPECT_NE(mismatches("2026-03-01T10:00:00+05:00", "1.2. Last updated: March 2, 2026."), "");
  // The publication date is the policy's local date (its own offset), not UTC's.
  EXPECT_EQ(mismatches("2026-03-01T00:30:00+05:00", "1.2. Редакция от 01.03.2026."), "");
  // A law's date is not the policy's.
  EXPECT_EQ(mismatches("2026-03-01T10:00:00+05:00", "1.2. Закон от 21 мая 2013 года № 94-V (в редакции от 01.01.2024)."), "");
  EXPECT_EQ(mismatches("unknown", "1.2. Дата последнего обновления: 02.03.2026."), "");
}
