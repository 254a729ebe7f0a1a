// parseBody: docs/body-format.md read into the C++ tree, with clear errors that say where.
#include <gtest/gtest.h>

#include <string>

#include "policy/body.h"
#include "policy/text.h"

using namespace kelisim::policy;

namespace {
const char* kSmall = R"({"format":1,"title":"Политика","children":[
  {"k":"p","c":["Вступление ",{"strong":["жирно"]}],"line":2},
  {"k":"clause","num":"1","id":"p-1","line":3,"title":["ОБЩИЕ ПОЛОЖЕНИЯ"],"children":[
    {"k":"clause","num":"1.1","id":"p-1.1","line":4,"children":[
      {"k":"p","c":["Текст ",{"em":["курсив"]}," и ",{"a":["ссылка"],"href":"https://example.kz"}],"line":4},
      {"k":"ul","items":[["первый"],["второй"]],"line":5}]}]}]})";
}

TEST(PolicyBody, ParsesTheTree) {
  Body b;
  std::string canonical;
  auto e = parseBody(kSmall, &b, &canonical);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(b.title, "Политика");
  ASSERT_EQ(b.children.size(), 2u);
  EXPECT_EQ(b.children[0].kind, Node::Kind::Para);
  EXPECT_EQ(b.children[0].line, 2);
  const Node& c1 = b.children[1];
  EXPECT_EQ(c1.kind, Node::Kind::Clause);
  EXPECT_EQ(c1.num, "1");
  EXPECT_TRUE(c1.hasTitle);
  ASSERT_EQ(c1.children.size(), 1u);
  const Node& c11 = c1.children[0];
  EXPECT_EQ(c11.num, "1.1");
  EXPECT_FALSE(c11.hasTitle);
  ASSERT_EQ(c11.children.size(), 2u);
  ASSERT_EQ(c11.children[0].inl.size(), 4u);
  EXPECT_EQ(c11.children[0].inl[1].kind, Inline::Kind::Em);
  EXPECT_EQ(c11.children[0].inl[3].kind, Inline::Kind::Link);
  EXPECT_EQ(c11.children[0].inl[3].text, "https://example.kz");
  EXPECT_EQ(c11.children[1].items.size(), 2u);
  // Canonical form: nlohmann dump, keys sorted.
  EXPECT_EQ(canonical.rfind("{\"children\":[", 0), 0u);
  EXPECT_NE(canonical.find("\"format\":1,\"title\":\"Политика\"}"), std::string::npos);
}

TEST(PolicyBody, TextUnitsPerClause) {
  Body b;
  ASSERT_TRUE(parseBody(kSmall, &b).ok());
  auto units = textUnits(b, true);
  ASSERT_EQ(units.size(), 3u);
  EXPECT_EQ(units[0].num, "");
  EXPECT_EQ(units[0].text, "Вступление жирно");
  EXPECT_EQ(units[1].num, "1");
  EXPECT_EQ(units[1].text, "ОБЩИЕ ПОЛОЖЕНИЯ");
  EXPECT_EQ(units[2].num, "1.1");
  EXPECT_EQ(units[2].depth, 1);
  EXPECT_EQ(units[2].text, "Текст курсив и ссылка первый второй");
  EXPECT_EQ(textUnits(b, false).size(), 2u);
}

static std::string errorOf(const std::string& json) {
  Body b;
  auto e = parseBody(json, &b);
  EXPECT_FALSE(e.ok()) << json;
  EXPECT_EQ(e.code, kelisim::ErrorCode::BadInput);
  EXPECT_TRUE(b.children.empty());
  return e.message;
}

TEST(PolicyBody, ErrorsSayWhatAndWhere) {
  EXPECT_NE(errorOf("{\"format\":1,").find("invalid JSON"), std::string::npos);
  EXPECT_NE(errorOf("{\"format\":1, x}").find("line 1, column 14"), std::string::npos);
  EXPECT_NE(errorOf("[]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format":2,"title":"","children":[]})").find("\"format\" must be 1"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format":1,"children":[]})").find("\"title\""), std::string::npos);
  std::string m = errorOf(R"({"format":1,"title":"","children":[{"k":"p","c":[]},
      {"k":"clause","num":"4","children":[{"k":"clause","num":"4.x"}]}]})");
  EXPECT_NE(m.find("children[1].children[0] (clause 4)"), std::string::npos) << m;
  EXPECT_NE(m.find("dotted number"), std::string::npos) << m;
  m = errorOf(R"({"format":1,"title":"","children":[{"k":"clause","num":"2","id":"p-3"}]})");
  EXPECT_NE(m.find("\"id\" must be"), std::string::npos) << m;
  m = errorOf(R"({"format":1,"title":"","children":[{"k":"clause","num":"2","children":[{"k":"p","c":[{"a":["x"]}]}]}]})");
  EXPECT_NE(m.find("children[0].children[0].c[0] (clause 2): a link needs a string \"href\""), std::string::npos) << m;
  m = errorOf(R"({"format":1,"title":"","children":[{"k":"table"}]})");
  EXPECT_NE(m.find("unknown node kind \"table\""), std::string::npos) << m;
  m = errorOf(R"({"format":1,"title":"","children":[{"k":"p","c":[{"em":["a"],"strong":["b"]}]}]})");
  EXPECT_NE(m.find("more than one"), std::string::npos) << m;
}

TEST(PolicyBody, DepthIsCapped) {
  // Inline nesting 100 deep: refused with an error, no stack overflow.
  std::string deep = R"({"format":1,"title":"","children":[{"k":"p","c":[)";
  for (int i = 0; i < 100; ++i) deep += R"({"em":[)";
  deep += "\"x\"";
  for (int i = 0; i < 100; ++i) deep += "]}";
  deep += "]}]}";
  EXPECT_NE(errorOf(deep).find("nested deeper than 16"), std::string::npos);
  // Clause nesting 40 deep.
  std::string nodes = R"({"format":1,"title":"","children":[)";
  for (int i = 0; i < 40; ++i) nodes += R"({"k":"clause","num":"1","children":[)";
  for (int i = 0; i < 40; ++i) nodes += "]}";
  nodes += "]}";
  EXPECT_NE(errorOf(nodes).find("nested deeper than 32"), std::string::npos);
  // Plain JSON nesting 100000 deep: nlohmann's parser is iterative, our converter stops early.
  std::string arrays(100000, '[');
  arrays += std::string(100000, ']');
  errorOf(arrays);
}

TEST(PolicyBody, InvalidUtf8IsRepaired) {
  std::string json = "{\"format\":1,\"title\":\"a\xC0\xBC" "b\xFF\",\"children\":[]}";
  Body b;
  auto e = parseBody(json, &b);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(b.title.find('\xC0'), std::string::npos);
  EXPECT_NE(b.title.find("\xEF\xBF\xBD"), std::string::npos);
  EXPECT_EQ(b.title.front(), 'a');
}

TEST(PolicyBody, CleanText) {
  // Bidi overrides, NUL and C1 controls dropped; spaces collapsed; invalid bytes -> U+FFFD.
  static const char raw[] = "  a\xE2\x80\xAE" "b\0c\xC2\x85\t\n d\xFF  ";
  std::string s(raw, sizeof raw - 1);  // the embedded NUL included, the terminator not
  EXPECT_EQ(cleanText(s, true), "abc d\xEF\xBF\xBD");
  EXPECT_EQ(cleanText("x\xE2\x81\xA6y\xE2\x81\xA9", false), "xy");
}

TEST(PolicyBody, JsonWriter) {
  std::string out;
  appendJsonString(&out, std::string("a\"b\\c\n\x01й", 9));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001й\"");
  out.clear();
  appendInt(&out, -1234567890123LL);
  appendInt(&out, 0);
  EXPECT_EQ(out, "-12345678901230");
}

TEST(PolicyBody, ErrorMessagesAreValidUtf8) {
  // The converter quotes a bad kind cut to 32 bytes; nlohmann quotes the bytes it last read.
  // Either may end inside a multi-byte character (found by fuzz_body).
  for (const char* json : {R"({"format":1,"title":"","children":[{"k":"clause_______________ыыыыыыыы"}]})",
                           "{\"format\":1,\"title\":\"\",\"children\":й}", "{\"a\":\"x\" ж}"}) {
    Body b;
    auto e = parseBody(json, &b);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(sanitizeUtf8(e.message), e.message) << e.message;
  }
}
