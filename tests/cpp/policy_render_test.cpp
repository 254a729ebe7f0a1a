// renderHtml / safeHref / appendEscaped: structure, anchors, escaping, link schemes.
#include <gtest/gtest.h>

#include <string>

#include "policy/body.h"
#include "policy/render.h"

using namespace kelisim::policy;

namespace {

Body parse(const std::string& json) {
  Body b;
  auto e = parseBody(json, &b);
  EXPECT_TRUE(e.ok()) << e.message;
  return b;
}

// One paragraph with the given inline JSON in clause 1.
Body para(const std::string& inlines) {
  return parse(R"({"format":1,"title":"T","children":[{"k":"clause","num":"1","children":[{"k":"p","c":[)" +
               inlines + "]}]}]}");
}

std::string render(const Body& b, RenderOptions o = {}) { return renderHtml(b, o); }

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* kPolicy = R"({"format":1,"title":"Политика","children":[
  {"k":"p","c":["Вступление"],"line":1},
  {"k":"clause","num":"1","id":"p-1","title":["ОБЩИЕ ПОЛОЖЕНИЯ"],"children":[
    {"k":"clause","num":"1.1","id":"p-1.1","children":[
      {"k":"p","c":["Первый ",{"em":["абзац"]}]},
      {"k":"ul","items":[["раз"],[{"strong":["два"]}]]},
      {"k":"clause","num":"1.1.1","title":["Подраздел"],"children":[{"k":"h","c":["Заголовок"]}]}]}]},
  {"k":"clause","num":"2","children":[{"k":"p","c":["Второй пункт без заголовка, текст которого достаточно длинный, чтобы его пришлось обрезать в оглавлении"]}]}]})";

}  // namespace

TEST(PolicyRender, Structure) {
  std::string h = render(parse(kPolicy));
  EXPECT_EQ(h.rfind("<h2 class=\"kelisim-title\">Политика</h2><nav class=\"kelisim-toc\" aria-label=\"Содержание\"><ol>", 0), 0u) << h;
  // Contents: top-level clauses (titled by title, untitled by first words) and titled sub-clauses.
  EXPECT_TRUE(has(h, "<li><a href=\"#p-1\">1. ОБЩИЕ ПОЛОЖЕНИЯ</a><ol><li><a href=\"#p-1.1.1\">1.1.1. Подраздел</a></li></ol></li>")) << h;
  EXPECT_TRUE(has(h, "<li><a href=\"#p-2\">2. Второй пункт без заголовка, текст которого достаточно…</a></li></ol></nav>")) << h;
  std::string nav = h.substr(0, h.find("</nav>"));
  EXPECT_FALSE(has(nav, "href=\"#p-1.1\">")) << "untitled sub-clauses stay out of the contents";
  EXPECT_TRUE(has(h, "<a class=\"kelisim-num\" href=\"#p-1.1\">1.1.</a>"));
  EXPECT_TRUE(has(h, "<p>Вступление</p>"));
  EXPECT_TRUE(has(h, "<section class=\"kelisim-clause\" id=\"p-1\"><h3 class=\"kelisim-clause-title\"><a class=\"kelisim-num\" href=\"#p-1\">1.</a> ОБЩИЕ ПОЛОЖЕНИЯ</h3>"));
  EXPECT_TRUE(has(h, "<div class=\"kelisim-clause\" id=\"p-1.1\"><p><a class=\"kelisim-num\" href=\"#p-1.1\">1.1.</a> Первый <em>абзац</em></p><ul><li>раз</li><li><strong>два</strong></li></ul>"));
  EXPECT_TRUE(has(h, "<section class=\"kelisim-clause\" id=\"p-1.1.1\"><h5 class=\"kelisim-clause-title\">"));
  EXPECT_TRUE(has(h, "<h6 class=\"kelisim-heading\">Заголовок</h6></section></div></section>"));
  EXPECT_TRUE(h.size() > 6 && h.compare(h.size() - 6, 6, "</div>") == 0);
  // No inline styles or event handlers, ever.
  EXPECT_FALSE(has(h, "style=")) << h;
  EXPECT_FALSE(has(h, " on")) << h;
}

TEST(PolicyRender, Options) {
  Body b = parse(kPolicy);
  RenderOptions o;
  o.lang = "kk";
  o.idPrefix = "k-<x>";  // only [A-Za-z0-9_-] kept
  std::string h = render(b, o);
  EXPECT_TRUE(has(h, "aria-label=\"Мазмұны\""));
  EXPECT_TRUE(has(h, "id=\"k-xp-1.1\""));
  EXPECT_TRUE(has(h, "href=\"#k-xp-1.1\""));
  EXPECT_FALSE(has(h, "\"p-1"));
  o = RenderOptions();
  o.lang = "en";
  o.toc = false;
  o.title = false;
  h = render(b, o);
  EXPECT_FALSE(has(h, "<nav"));
  EXPECT_FALSE(has(h, "kelisim-title"));
  EXPECT_EQ(h.rfind("<p>Вступление</p>", 0), 0u);
  o.toc = true;
  EXPECT_TRUE(has(render(b, o), "aria-label=\"Contents\""));
  // A body without clauses has no contents at all.
  EXPECT_FALSE(has(render(parse(R"({"format":1,"title":"","children":[{"k":"p","c":["x"]}]})")), "<nav"));
}

TEST(PolicyRender, EscapesEverything) {
  std::string h = render(para(R"("<script>alert('x')</script> & \"q\"")"));
  EXPECT_TRUE(has(h, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")) << h;
  EXPECT_FALSE(has(h, "<script"));
  Body b = parse(R"({"format":1,"title":"<img src=x onerror=alert(1)>","children":[]})");
  EXPECT_EQ(render(b), "<h2 class=\"kelisim-title\">&lt;img src=x onerror=alert(1)&gt;</h2>");
}

TEST(PolicyRender, CleansControlsBidiAndBrokenUtf8) {
  Body b;
  Node p;
  p.kind = Node::Kind::Para;
  Inline t;
  // sizeof - 1: every byte of the literal (embedded NUL included) but its terminator. (The
  // length was 18, one byte past the 17-byte array: whatever followed it in memory was read.)
  static const char raw[] = "a\0b\xE2\x80\xAE" "c\xE2\x81\xA6" "d\xC0\xBC" "e\x1B\x7F";
  t.text = std::string(raw, sizeof raw - 1);
  p.inl.push_back(t);
  b.children.push_back(p);
  EXPECT_EQ(render(b), "<p>abcd\xEF\xBF\xBD\xEF\xBF\xBD" "e</p>");
}

TEST(PolicyRender, SafeHref) {
  // Allowed schemes, any case, trimmed.
  EXPECT_EQ(safeHref("https://example.kz/a?b=1&c=2", ""), "https://example.kz/a?b=1&c=2");
  EXPECT_EQ(safeHref("HTTP://Example.kz", ""), "HTTP://Example.kz");
  EXPECT_EQ(safeHref("  mailto:dpo@example.kz \n", ""), "mailto:dpo@example.kz");
  EXPECT_EQ(safeHref("MailTo:x@y", ""), "MailTo:x@y");
  EXPECT_EQ(safeHref("ht\ttp\ns://x", ""), "https://x");  // the URL parser drops tab/newline too
  EXPECT_EQ(safeHref("#p-4.1.5", "k-"), "#k-p-4.1.5");
  // Everything else.
  for (const char* bad : {"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                          "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)",
                          "&#106;avascript:alert(1)", "&#x6A;avascript:alert(1)", "javascript&colon;alert(1)",
                          "data:text/html,<script>alert(1)</script>", "DATA:image/svg+xml;base64,PHN2Zz4=",
                          "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "/relative",
                          "relative.html", "?q=1", "#top", "#p-1\" onclick=\"x", "#p-", "", "   ",
                          "\xC2\xA0javascript:alert(1)", "ja\xE2\x80\xAEvascript:alert(1)", "https\xEF\xBC\x9A//x",
                          "http%3A//x", ":http://x"}) {
    EXPECT_EQ(safeHref(bad, ""), "") << bad;
  }
}

TEST(PolicyRender, Links) {
  std::string h = render(para(R"({"a":["сайт"],"href":"https://example.kz/?a=1&b=\"2\""})"));
  EXPECT_TRUE(has(h, "<a href=\"https://example.kz/?a=1&amp;b=&quot;2&quot;\" target=\"_blank\" rel=\"noopener noreferrer\">сайт</a>")) << h;
  h = render(para(R"({"a":["почта"],"href":"mailto:a@b.kz"})"));
  EXPECT_TRUE(has(h, "<a href=\"mailto:a@b.kz\">почта</a>")) << h;
  h = render(para(R"({"a":["см. п. 2"],"href":"#p-2"})"));
  EXPECT_TRUE(has(h, "<a href=\"#p-2\">см. п. 2</a>")) << h;
  // Unsafe: text only, the href is not written anywhere.
  h = render(para(R"J({"a":["click ",{"em":["me"]}],"href":"javascript:alert(1)"})J"));
  EXPECT_TRUE(has(h, "click <em>me</em>")) << h;
  EXPECT_FALSE(has(h, "javascript")) << h;
  EXPECT_FALSE(has(h, "<a href=\"javascript")) << h;
  // A link inside a link renders as text (no nested <a>).
  h = render(para(R"({"a":["outer ",{"a":["inner"],"href":"https://inner.example"}],"href":"https://outer.example"})"));
  EXPECT_TRUE(has(h, "<a href=\"https://outer.example\" target=\"_blank\" rel=\"noopener noreferrer\">outer inner</a>")) << h;
  EXPECT_FALSE(has(h, "inner.example")) << h;
}

TEST(PolicyRender, DeepHandBuiltBodyIsCutOffNotOverflowed) {
  // parseBody refuses deep input; a body built in C++ may still be deep: rendering stops at
  // the cap instead of recursing without bound.
  Body b;
  Node leaf;
  leaf.kind = Node::Kind::Clause;
  leaf.num = "1";
  Node cur = leaf;
  for (int i = 0; i < 200; ++i) {
    Node parent = leaf;
    parent.children.push_back(std::move(cur));
    cur = std::move(parent);
  }
  b.children.push_back(std::move(cur));
  std::string h = render(b);
  size_t opens = 0;
  for (size_t at = h.find("<div class=\"kelisim-clause\""); at != std::string::npos; at = h.find("<div class=\"kelisim-clause\"", at + 1)) ++opens;
  EXPECT_EQ(opens, size_t(kMaxNodeDepth + 1));
  size_t closes = 0;
  for (size_t at = h.find("</div>"); at != std::string::npos; at = h.find("</div>", at + 1)) ++closes;
  EXPECT_EQ(opens, closes);
}
