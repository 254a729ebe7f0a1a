// Adversarial inputs (issue 6, item 2), natively: hostile policies (XSS payloads, 5 MB, 100,000
// clauses, 10,000-deep nesting, invalid UTF-8, NUL bytes, bidi overrides), body JSON 10,000
// levels deep, and stored consent values that were edited, oversized, written by another site
// or by another version. Each must get a clear error or a safe fallback, never a crash, and
// the stored consent must stay usable. tests/node/adversarial.test.js runs the same inputs
// through the shipped wasm. Also the regression tests for what the fuzzers (tests/fuzz/) found.
//
// Deep inputs run on a thread with a 256 KiB stack, the consent/policy modules' whole wasm
// stack (-sTOTAL_STACK=256KB): wasm has no stack-overflow check, so recursion that only fits
// in a native 8 MB stack would corrupt memory there. Native frames are larger than wasm's, so
// passing here is the conservative side.
#include <gtest/gtest.h>
#include <pthread.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "../fuzz/fuzz_util.h"
#include "core/consent.h"
#include "core/sha256.h"
#include "policy/body.h"
#include "policy/diff.h"
#include "policy/import.h"
#include "policy/lint.h"
#include "policy/render.h"
#include "policy/search.h"

using namespace kelisim;
using namespace kelisim::policy;

namespace {

template <class T>
std::string S(const T& t) {
  return std::string(std::string_view(t));
}

bool has(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Runs f on a thread whose whole stack is `bytes` (default: the wasm modules' 256 KiB).
void onSmallStack(const std::function<void()>& f, size_t bytes = 256 * 1024) {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer (npm test's build/native-asan) puts redzones around every stack
  // variable, so each frame is several times larger: the same bounded depth needs a
  // proportionally larger stack. Unbounded recursion still overflows it.
  bytes *= 8;
#endif
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, bytes), 0);
  pthread_t t;
  auto call = [](void* p) -> void* {
    (*static_cast<const std::function<void()>*>(p))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&t, &attr, call, const_cast<std::function<void()>*>(&f)), 0);
  pthread_join(t, nullptr);
  pthread_attr_destroy(&attr);
}

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Everything the policy module does with one source text: import, parse the body, render,
// search, lint, diff with itself. Checks the invariants the fuzzers check (tests/fuzz/).
struct PolicyRun {
  ImportResult imp;
  Body body;
  std::string html;
  std::vector<SearchHit> hits;
  std::vector<Finding> findings;
};

PolicyRun runPolicy(std::string_view text, std::string_view query = "данные") {
  PolicyRun r;
  Error e = importText(text, &r.imp);
  EXPECT_TRUE(e.ok()) << e.message;
  Error pe = parseBody(r.imp.bodyJson, &r.body);
  EXPECT_TRUE(pe.ok()) << "the importer's body must parse: " << pe.message;
  r.html = renderHtml(r.body, RenderOptions{});
  EXPECT_EQ(fuzz::htmlProblem(r.html), "");
  r.hits = search(r.body, query, SearchOptions{});
  for (const SearchHit& h : r.hits) EXPECT_EQ(fuzz::htmlProblem(h.snippet), "") << h.snippet;
  Error le = lint(text, &r.findings);
  EXPECT_TRUE(le.ok()) << le.message;
  for (const Finding& f : r.findings) {
    EXPECT_TRUE(fuzz::validUtf8(f.messageEn)) << f.code;
    EXPECT_TRUE(fuzz::validUtf8(f.messageRu)) << f.code;
  }
  EXPECT_TRUE(fuzz::validJson(findingsJson(r.findings)));
  return r;
}

size_t count(std::string_view s, std::string_view part) {
  size_t n = 0;
  for (size_t i = s.find(part); i != std::string_view::npos; i = s.find(part, i + part.size())) ++n;
  return n;
}

}  // namespace

// ===========================================================================
// Policies
// ===========================================================================

TEST(AdversarialPolicy, XssPayloadsRenderAsText) {
  const char* payloads[] = {
      "<script>alert(1)</script>",
      "<img src=x onerror=alert(1)>",
      "\"><svg/onload=alert(1)>",
      "[клик](javascript:alert(1))",
      "[клик](JaVaScRiPt:alert(1))",
      "[клик](java\tscript:alert(1))",
      "[клик](\x01javascript:alert(1))",
      "[клик](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
      "[клик](vbscript:msgbox(1))",
      "[клик](&#106;avascript:alert(1))",
      "[клик](//evil.example/x)",
      "[a [b](javascript:x)](https://ok.example)",
      "<javascript:alert(1)>",
      "<a href=\"javascript:alert(1)\">x</a>",
      "**<b onmouseover=alert(1)>жирный</b>**",
      "[x](https://ok.example/\"onmouseover=\"alert(1))",
      "[x](https://ok.example/'><script>alert(1)</script>)",
      "<style>body{display:none}</style>",
      "<iframe src=https://evil.example></iframe>",
      "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
      "\xE2\x80\xAE[moc.evil](https://evil.example)\xE2\x80\xAC",
      "e-mail: a@b.kz<script>alert(1)</script>",
      "https://ok.example/<script>",
      "[x](mailto:a@b.kz?subject=<script>)",
      "{{constructor.constructor('alert(1)')()}}",
  };
  std::string text = "title: XSS\n\n1. ОБЩИЕ ПОЛОЖЕНИЯ\n";
  int n = 1;
  for (const char* p : payloads) text += "1." + std::to_string(n++) + ". " + p + "\n";
  PolicyRun r = runPolicy(text, "script");
  EXPECT_FALSE(has(r.html, "<script")) << r.html;
  EXPECT_FALSE(has(r.html, "<img")) << r.html;
  for (const char* scheme : {"javascript", "JaVaScRiPt", "data", "vbscript", "//"})
    EXPECT_FALSE(has(r.html, std::string("href=\"") + scheme)) << scheme << "\n" << r.html;
  EXPECT_TRUE(has(r.html, "&lt;script&gt;")) << "payloads stay visible as text";
  EXPECT_TRUE(has(r.html, "href=\"https://ok.example\"")) << r.html;
  EXPECT_EQ(r.imp.clauseCount, 1 + int(sizeof payloads / sizeof *payloads));
  EXPECT_FALSE(r.hits.empty());
}

TEST(AdversarialPolicy, FiveMegabytePolicy) {
  std::string text = "title: Большая политика\npublishedAt: 2025-06-10T12:00:00+05:00\n\n";
  int sections = 0, clauses = 0;
  while (text.size() < (5u << 20)) {
    ++sections;
    text += std::to_string(sections) + ". РАЗДЕЛ " + std::to_string(sections) + "\n";
    for (int j = 1; j <= 100; ++j, ++clauses)
      text += std::to_string(sections) + "." + std::to_string(j) +
              ". Оператор обрабатывает **персональные данные** Пользователя с его согласия, "
              "см. [правила](https://example.kz/rules) и п. 1.1, срок хранения — 3 года.\n";
  }
  ASSERT_GE(text.size(), 5u << 20);
  ASSERT_LT(text.size(), kMaxSourceBytes);
  PolicyRun r = runPolicy(text, "ПЕРСОНАЛЬНЫЕ данные");
  EXPECT_EQ(r.imp.clauseCount, sections + clauses);
  EXPECT_EQ(r.hits.size(), 50u) << "default limit";
  EXPECT_TRUE(has(r.html, "id=\"p-" + std::to_string(sections) + ".100\""));
}

TEST(AdversarialPolicy, OverLimitSourceIsRefusedWithAClearError) {
  std::string text(kMaxSourceBytes + 1, 'a');
  ImportResult r;
  Error e = importText(text, &r);
  EXPECT_EQ(e.code, ErrorCode::BadInput);
  EXPECT_FALSE(e.message.empty());
}

TEST(AdversarialPolicy, HundredThousandClauses) {
  std::string text = "title: 100000\n\n";
  for (int i = 1; i <= 100; ++i) {
    text += std::to_string(i) + ". Раздел\n";
    for (int j = 1; j <= 10; ++j) {
      text += std::to_string(i) + "." + std::to_string(j) + ". Подраздел\n";
      for (int k = 1; k <= 100; ++k)
        text += std::to_string(i) + "." + std::to_string(j) + "." + std::to_string(k) + ". Пункт " +
                std::to_string(i) + "_" + std::to_string(j) + "_" + std::to_string(k) + ".\n";
    }
  }
  PolicyRun r = runPolicy(text, "ПУНКТ 100_2_100");
  EXPECT_EQ(r.imp.clauseCount, 100 + 1000 + 100000);
  EXPECT_TRUE(has(r.html, "id=\"p-100.10.100\""));
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].num, "100.2.100");
  // One clause changed, one removed: the diff finds exactly those among 101,100.
  std::string edited = text;
  size_t at = edited.find("50.5.50. Пункт");
  ASSERT_NE(at, std::string::npos);
  edited.insert(edited.find('\n', at), " Изменено");
  size_t rm = edited.find("\n70.7.70. ");
  edited.erase(rm, edited.find('\n', rm + 1) - rm);
  ImportResult ei;
  ASSERT_TRUE(importText(edited, &ei).ok());
  Body eb;
  ASSERT_TRUE(parseBody(ei.bodyJson, &eb).ok());
  DiffResult d = diffBodies(r.body, eb);
  EXPECT_EQ(d.changed, std::vector<std::string>{"50.5.50"});
  EXPECT_EQ(d.removed, std::vector<std::string>{"70.7.70"});
  EXPECT_TRUE(d.added.empty());
}

TEST(AdversarialPolicy, TenThousandDeepNesting) {
  std::vector<std::pair<std::string, std::string>> cases = {
      {"number with 10,000 parts", repeat("1.", 10000) + " текст\n"},
      {"10,000 numbered levels", [] {
         std::string t, num;
         for (int i = 0; i < 10000; ++i) {
           num += (i ? ".1" : "1");
           if (num.size() > 200) num = "1";  // keep the file small: depth cycles 1..100
           t += num + ". Уровень\n";
         }
         return t;
       }()},
      {"emphasis", repeat("*", 10000) + "x" + repeat("*", 10000) + "\n"},
      {"strong/em mix", repeat("**_", 5000) + "x" + repeat("_**", 5000) + "\n"},
      {"links", repeat("[", 10000) + "x" + repeat("](https://a.kz)", 10000) + "\n"},
      {"lists", [] {
         std::string t;
         for (int i = 0; i < 10000; ++i) t += std::string(size_t(i % 200), ' ') + "- пункт\n";
         return t;
       }()},
      {"one deep list line", repeat("- ", 10000) + "x\n"},
      {"quotes and headings", repeat(">", 10000) + repeat("#", 10000) + " x\n"},
      {"html-like markup", repeat("<div>", 10000) + "x" + repeat("</div>", 10000) + "\n"},
      {"brackets in link target", "[x](" + repeat("(", 10000) + ")\n"},
  };
  for (const auto& [name, text] : cases) {
    SCOPED_TRACE(name);
    onSmallStack([&] {
      PolicyRun r = runPolicy(text);
      EXPECT_FALSE(has(r.html, "<script"));
    });
  }
}

TEST(AdversarialPolicy, BodyJsonTenThousandLevelsDeep) {
  std::string clause = R"({"k":"clause","num":"1","children":[)";
  std::vector<std::pair<std::string, std::string>> cases = {
      {"clauses", R"({"format":1,"title":"t","children":[)" + repeat(clause, 10000) + repeat("]}", 10000) + "]}"},
      {"emphasis", R"({"format":1,"title":"t","children":[{"k":"p","c":[)" + repeat(R"({"em":[)", 10000) + "\"x\"" +
                       repeat("]}", 10000) + "]}]}"},
      {"arrays", repeat("[", 10000) + repeat("]", 10000)},
      {"objects", repeat("{\"a\":", 10000) + "1" + repeat("}", 10000)},
      {"unclosed", repeat("[{\"k\":", 10000)},
  };
  for (const auto& [name, json] : cases) {
    SCOPED_TRACE(name);
    onSmallStack([&] {
      // With `canonical`, as kel_parse_body calls it: the canonical dump() recursed once per
      // level and overflowed the wasm stack before the depth checks ran (adversarial finding,
      // 2026-11-22; parseJson now refuses JSON nested deeper than 256 levels up front).
      Body b;
      std::string canonical;
      Error e = parseBody(json, &b, &canonical);
      EXPECT_EQ(e.code, ErrorCode::BadInput);
      EXPECT_FALSE(e.message.empty());
      EXPECT_TRUE(fuzz::validUtf8(e.message));
      EXPECT_TRUE(canonical.empty());
      nlohmann::json j;
      std::string err;
      EXPECT_FALSE(parseJson(json, &j, &err)) << "the shared JSON parser refuses it too";
    });
  }
  // The cap leaves room for the deepest valid body: 32 clause levels with 16 inline levels.
  std::string deep = R"({"format":1,"title":"t","children":[)";
  for (int i = 0; i < kMaxNodeDepth; ++i) deep += R"({"k":"clause","num":"1","children":[)";
  deep += R"({"k":"p","c":[)" + repeat(R"({"em":[)", kMaxInlineDepth) + "\"x\"" + repeat("]}", kMaxInlineDepth) + "]}";
  deep += repeat("]}", kMaxNodeDepth) + "]}";
  onSmallStack([&] {
    Body b;
    std::string canonical;
    Error e = parseBody(deep, &b, &canonical);
    EXPECT_TRUE(e.ok()) << e.message;
    EXPECT_FALSE(canonical.empty());
  });
}

TEST(AdversarialPolicy, InvalidUtf8NulAndBidi) {
  std::string text = "title: \xFF\xFE bad\n\n1. ОБЩИЕ\n";
  text += "1.1. Оборванный \xD0 символ, лишний \x80 байт, overlong \xC0\xAF, суррогат \xED\xA0\x80.\n";
  static const char kNul[] = "1.2. NUL\0внутри\0текста, \x01\x02\x1B[31m управляющие.\n";
  text += std::string(kNul, sizeof kNul - 1);
  text += "1.3. Bidi \xE2\x80\xAEgnp.exe\xE2\x80\xAC и \xE2\x81\xA6изоляция\xE2\x81\xA9 [ссылка](https://a.kz/\xE2\x80\xAE).\n";
  PolicyRun r = runPolicy(text, "байт");
  EXPECT_EQ(r.imp.clauseCount, 4);
  EXPECT_TRUE(fuzz::validUtf8(r.imp.bodyJson));
  EXPECT_TRUE(fuzz::validUtf8(r.imp.headerJson));
  EXPECT_TRUE(has(r.imp.bodyJson, "\xEF\xBF\xBD")) << "invalid bytes become U+FFFD";
  bool reported = false;
  for (const ImportProblem& p : r.imp.problems) reported = reported || p.code == "invalid-utf8";
  EXPECT_TRUE(reported);
  EXPECT_FALSE(has(r.html, std::string_view("\0", 1)));
  EXPECT_FALSE(has(r.html, "\x1B"));
  EXPECT_FALSE(has(r.html, "\xE2\x80\xAE"));
  EXPECT_EQ(r.hits.size(), 1u);
}

// Fuzz finding (fuzz_body, 2026-11-22): a JSON syntax error right after a multi-byte
// character gave a message ending in half a UTF-8 sequence (nlohmann quotes the last bytes
// read), which the CLI printed as is. body.cpp now cleans the message.
TEST(AdversarialPolicy, RegressionBodyErrorMessageIsValidUtf8) {
  std::vector<std::string> inputs = {
      "{\"format\":1,\"title\"\xEF\xBF\xBD:1}",
      "{\"format\":1,\"title\":\"x\"\xD0\x96}",
      "{\"format\":1,\"title\":\"x\"\xE2\x80\xAE}",
      "[\"\xF0\x9F\x98\x80\"\xF0\x9F\x98\x80]",
  };
  // fuzz_body, 2026-11-22: "unknown node kind" quoted the first 32 bytes of the kind, cut
  // inside a U+FFFD; now cut at a character boundary.
  inputs.push_back(R"({"format":1,"title":"t","children":[{"k":"clause)" + repeat("\xFF", 20) + R"("}]})");
  inputs.push_back(R"({"format":1,"title":"t","children":[{"k":")" + repeat("ж", 40) + R"("}]})");
  for (const std::string& in : inputs) {
    Body b;
    Error e = parseBody(in, &b);
    EXPECT_EQ(e.code, ErrorCode::BadInput);
    EXPECT_TRUE(fuzz::validUtf8(e.message)) << e.message;
    EXPECT_FALSE(has(e.message, "\xE2\x80\xAE")) << "no bidi override in messages";
  }
}

// fuzz_diff, 2026-11-22: appendText (escaping/cleaning for render, search, diff and JSON)
// copied an invalid 3-byte prefix of a 4-byte sequence (F3 B4 B9 + non-continuation) through
// as is, because a genuine U+FFFD is 3 bytes long too. Now only EF BF BD itself is copied.
TEST(AdversarialPolicy, RegressionTruncatedFourByteSequenceIsReplaced) {
  for (std::string_view bad : {"\xF3\xB4\xB9 x", "a\xF0\x9F\x98", "\xF4\x8F\xBF<", "\xEF\xBF\xBD\xF1\x80\x80"}) {
    std::string esc;
    appendEscaped(&esc, bad);
    EXPECT_TRUE(fuzz::validUtf8(esc)) << esc;
    EXPECT_TRUE(has(esc, "\xEF\xBF\xBD"));
    EXPECT_TRUE(fuzz::validUtf8(cleanText(bad, true)));
    std::string html = wordDiffHtml(std::string("было ") + std::string(bad), std::string("стало ") + std::string(bad));
    EXPECT_TRUE(fuzz::validUtf8(html)) << html;
  }
  std::string json;
  appendJsonString(&json, cleanText("\xF3\xB4\xB9", false));
  EXPECT_TRUE(fuzz::validJson(json)) << json;
}

// Found by fuzz_render in a CI run: an http(s) link whose rest is unusual ("https:/./host")
// keeps its https scheme and is rendered as a link; the HTML checker the fuzzers use agrees
// with the renderer's rule (scheme http:, https:, mailto:, or a #p- fragment), and the
// schemes that can run code are still refused.
TEST(AdversarialPolicy, SchemeRuleOfTheRendererAndTheFuzzCheckerAgree) {
  using kelisim::policy::safeHref;
  for (const char* ok : {"https:/./smartaqkol.chat/privacy", "HTTP:example.kz", "mailto:dpo@example.kz"}) {
    EXPECT_EQ(safeHref(ok, ""), ok);
    EXPECT_EQ(fuzz::htmlProblem(std::string("<a href=\"") + ok + "\">x</a>"), "") << ok;
  }
  for (const char* bad : {"javascript:alert(1)", " jAvAsCrIpT:alert(1)", "java\tscript:alert(1)", "data:text/html,x",
                          "vbscript:x", "//evil.example", "#javascript:x"})
    EXPECT_EQ(safeHref(bad, ""), "") << bad;
  EXPECT_NE(fuzz::htmlProblem("<a href=\"javascript:alert(1)\">x</a>"), "");
}

// The fuzzers' reproducers (tests/fuzz/regressions/<target>/, also replayed by scripts/fuzz.sh):
// each body input must be refused with a valid UTF-8 message or accepted with a stable
// canonical form; each lint input must lint with findings ordered by position; each diff
// input must give a valid UTF-8 word diff.
TEST(AdversarialPolicy, RegressionFuzzReproducers) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(KELISIM_SOURCE_DIR) / "tests/fuzz/regressions";
  auto read = [](const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  };
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir / "fuzz_body")) {
    ++n;
    Body b;
    std::string canonical;
    Error err = parseBody(read(e.path()), &b, &canonical);
    if (!err.ok()) EXPECT_TRUE(fuzz::validUtf8(err.message)) << e.path();
  }
  for (const auto& e : fs::directory_iterator(dir / "fuzz_lint")) {
    ++n;
    std::vector<Finding> f;
    ASSERT_TRUE(lint(read(e.path()), &f).ok());
    for (size_t i = 1; i < f.size(); ++i)
      EXPECT_TRUE(f[i - 1].line < f[i].line || (f[i - 1].line == f[i].line && f[i - 1].col <= f[i].col));
  }
  for (const auto& e : fs::directory_iterator(dir / "fuzz_diff")) {
    ++n;
    std::string d = read(e.path());
    ASSERT_FALSE(d.empty());
    std::string_view rest = std::string_view(d).substr(1);
    size_t sep = rest.find('\x01');
    std::string html = wordDiffHtml(rest.substr(0, sep), sep == std::string_view::npos ? "" : rest.substr(sep + 1));
    EXPECT_TRUE(fuzz::validUtf8(html)) << e.path();
    EXPECT_EQ(fuzz::htmlProblem(html), "") << e.path();
  }
  EXPECT_GE(n, 6);
}

// ===========================================================================
// Consent: stored values and manifests
// ===========================================================================

namespace {

// A manifest whose strings live in the fixture (Manifest fields may be views).
struct Fixture {
  std::string id = "smartaqkol", version = "2", hash = std::string(64, 'c');
  Manifest m;
  Fixture() {
    m.policyId = id;
    m.version = version;
    m.bodyHash = hash;
    parseInstant("2025-06-10T12:00:00+05:00", &m.publishedAtMs, &m.offsetMinutes);
    m.categories.push_back({"necessary", true, false});
    m.categories.push_back({"analytics", false, false});
    m.categories.push_back({"marketing", false, true});
  }
};

const int64_t kNow = 1750000000000;  // 2025-06-15T15:06:40Z
// The latest instant the engine accepts (9999-12-31T23:59:59.999Z): the longest time fields.
int64_t kMaxMsForTest() { return 253402300799999; }

// A stored record of the fixture's policy: analytics on, marketing off, given a day ago.
std::string storedRecord(const Fixture& f, const std::string& policyId = "smartaqkol") {
  Record r;
  r.id = "Vx9_k2-Lq8ZtR4mN";
  r.policyId = policyId;
  r.version = "2";
  r.bodyHash16 = f.hash.substr(0, 16);
  r.givenAtMs = kNow - kDayMs;
  r.method = Method::Explicit;
  Choice c1, c2, c3;
  c1.category = "necessary";
  c1.on = true;
  c2.category = "analytics";
  c2.on = true;
  c3.category = "marketing";
  c3.on = false;
  r.choices.push_back(c1);
  r.choices.push_back(c2);
  r.choices.push_back(c3);
  r.historyHead = std::string(64, 'e');
  return S(encodeRecord(r));
}

// decide() on a stored value: fallback is the banner with only required categories on.
void expectBannerFallback(const Fixture& f, const std::string& stored, ErrorCode why, const std::string& what) {
  Decision d;
  auto st = decide(f.m, stored, kNow, Signals{}, &d);
  ASSERT_TRUE(st.ok()) << what;
  EXPECT_EQ(d.action, Action::Banner) << what;
  EXPECT_EQ(d.recordError, why) << what << ": " << name(d.recordError);
  EXPECT_FALSE(d.hasNewRecord) << what;
  EXPECT_EQ(S(choicesText(d.effective)), "necessary:1.analytics:0.marketing:0") << what;
}

}  // namespace

TEST(AdversarialConsent, EditedStoredValuesFallBackToTheBanner) {
  Fixture f;
  std::string good = storedRecord(f);
  Decision d;
  ASSERT_TRUE(decide(f.m, good, kNow, Signals{}, &d).ok());
  ASSERT_EQ(d.action, Action::None);
  // Turning marketing on by hand, changing the time, the id, one check digit.
  std::string edited = good;
  edited.replace(edited.find("marketing:0"), 11, "marketing:1");
  expectBannerFallback(f, edited, ErrorCode::RecordChecksum, "marketing switched on by hand");
  std::string check = good;
  check.back() = check.back() == '0' ? '1' : '0';
  expectBannerFallback(f, check, ErrorCode::RecordChecksum, "check digit changed");
  expectBannerFallback(f, good.substr(0, good.size() - 1), ErrorCode::RecordMalformed, "truncated");
  expectBannerFallback(f, good + "~x", ErrorCode::RecordMalformed, "field appended");
  expectBannerFallback(f, good + std::string("\0", 1), ErrorCode::RecordMalformed, "NUL appended");
  std::string withNul = good;
  withNul[5] = '\0';
  expectBannerFallback(f, withNul, ErrorCode::RecordChecksum, "NUL inside");
  expectBannerFallback(f, "k1~\xFF\xFE~\xE2\x80\xAE", ErrorCode::RecordMalformed, "invalid UTF-8 and bidi");
}

TEST(AdversarialConsent, OversizedForeignAndOtherVersionValues) {
  Fixture f;
  std::string good = storedRecord(f);
  expectBannerFallback(f, std::string(5000, 'k'), ErrorCode::RecordTooLong, "5000 bytes");
  expectBannerFallback(f, good + std::string(kMaxRecordLength, 'a'), ErrorCode::RecordTooLong, "padded");
  expectBannerFallback(f, std::string(1 << 20, '~'), ErrorCode::RecordTooLong, "1 MB of separators");
  expectBannerFallback(f, "_ga=GA1.2.3.4", ErrorCode::RecordForeign, "another tool's cookie");
  expectBannerFallback(f, "{\"necessary\":true,\"analytics\":true}", ErrorCode::RecordForeign, "JSON");
  expectBannerFallback(f, "k3~" + good.substr(3), ErrorCode::RecordUnknownVersion, "format version 3");
  expectBannerFallback(f, "k10~" + good.substr(3), ErrorCode::RecordUnknownVersion, "format version 10");
  // A genuine record written by another site/policy: the banner, reason other-policy.
  Decision d;
  ASSERT_TRUE(decide(f.m, storedRecord(f, "other-site"), kNow, Signals{}, &d).ok());
  EXPECT_EQ(d.action, Action::Banner);
  EXPECT_EQ(d.reason, Reason::OtherPolicy);
  EXPECT_EQ(S(choicesText(d.effective)), "necessary:1.analytics:0.marketing:0");
}

TEST(AdversarialConsent, DecideWithABadManifestFailsWithoutARecord) {
  std::string good;
  {
    Fixture f;
    good = storedRecord(f);
  }
  std::vector<std::pair<std::string, std::function<void(Fixture&)>>> bad = {
      {"id", [](Fixture& f) { f.m.policyId = "<script>"; }},
      {"version", [](Fixture& f) { f.m.version = std::string_view("2\0", 2); }},
      {"bodyHash", [](Fixture& f) { f.m.bodyHash = "ABC"; }},
      {"publishedAt", [](Fixture& f) { f.m.publishedAtMs = -1; }},
      {"offset", [](Fixture& f) { f.m.offsetMinutes = 15 * 60; }},
      {"days", [](Fixture& f) { f.m.implicitDays = -1; }},
      {"maxAge", [](Fixture& f) { f.m.maxAgeAcceptedMs = 0; }},
      {"no categories", [](Fixture& f) { f.m.categories.clear(); }},
      {"category id", [](Fixture& f) { f.m.categories[1].id = "Analytics\xE2\x80\xAE"; }},
      {"duplicate category", [](Fixture& f) { f.m.categories[2].id = "analytics"; }},
      {"33 categories", [](Fixture& f) {
         static std::vector<std::string> ids;
         for (int i = 0; i < 40; ++i) ids.push_back("c" + std::to_string(i));
         for (int i = 0; i < 40; ++i) f.m.categories.push_back({ids[size_t(i)], false, false});
       }},
  };
  for (auto& [what, breakIt] : bad) {
    Fixture f;
    breakIt(f);
    Decision d;
    auto st = decide(f.m, good, kNow + 30 * kDayMs, Signals{}, &d);
    EXPECT_EQ(st.code, ErrorCode::ManifestInvalid) << what;
    EXPECT_FALSE(d.hasNewRecord) << what;
    ApplyInput in;
    in.op = Op::AcceptAll;
    in.newId = "NewRecordId_0001";
    ApplyResult r;
    auto ast = apply(f.m, good, kNow, Signals{}, in, &r);
    EXPECT_EQ(ast.code, ErrorCode::ManifestInvalid) << what;
  }
}

TEST(AdversarialConsent, ApplyOnBadInputLeavesTheStoredRecordUsable) {
  Fixture f;
  const std::string stored = storedRecord(f);
  const std::string before = stored;
  auto decideOn = [&](const std::string& s) {
    Decision d;
    EXPECT_TRUE(decide(f.m, s, kNow, Signals{}, &d).ok());
    return std::string(name(d.action)) + "|" + S(choicesText(d.effective));
  };
  const std::string expected = decideOn(stored);
  EXPECT_EQ(expected, "none|necessary:1.analytics:1.marketing:0");

  struct Bad {
    const char* what;
    Op op;
    std::vector<std::pair<std::string, bool>> choices;
    std::string newId, prevHash;
    ErrorCode want;
  };
  std::vector<Bad> cases = {
      {"unknown category", Op::Set, {{"tracking", true}}, "", "", ErrorCode::UnknownCategory},
      {"required off", Op::Set, {{"necessary", false}}, "", "", ErrorCode::RequiredCategory},
      {"bad prevHash", Op::AcceptAll, {}, "", "zz<script>", ErrorCode::BadArgument},
      {"unknown op", Op(99), {}, "", "", ErrorCode::BadArgument},
  };
  for (const Bad& c : cases) {
    ApplyInput in;
    in.op = c.op;
    for (auto& [cat, on] : c.choices) {
      Choice ch;
      ch.category = cat;
      ch.on = on;
      in.choices.push_back(ch);
    }
    in.newId = c.newId;
    in.prevHash = c.prevHash;
    ApplyResult r;
    auto st = apply(f.m, stored, kNow, Signals{}, in, &r);
    EXPECT_EQ(st.code, c.want) << c.what;
    EXPECT_FALSE(st.message().empty()) << c.what;
    EXPECT_EQ(stored, before) << c.what;
    EXPECT_EQ(decideOn(stored), expected) << c.what << ": the stored record still decides the same";
  }
  // Without a stored record, a bad new id or accept-update is refused, and no record appears.
  ApplyInput in;
  in.op = Op::AcceptAll;
  in.newId = "short";
  ApplyResult r;
  EXPECT_EQ(apply(f.m, "", kNow, Signals{}, in, &r).code, ErrorCode::BadArgument);
  in.op = Op::AcceptUpdate;
  in.newId = "NewRecordId_0001";
  EXPECT_EQ(apply(f.m, "garbage", kNow, Signals{}, in, &r).code, ErrorCode::NoRecord);
}

// Adversarial finding (2026-11-22): validate() accepted 32 categories with 32-character ids,
// but the records apply() wrote for such a manifest were 1366 bytes, and decodeRecord (like
// storage.js) refuses values over 1024: the visitor's choice was lost on every page load.
// validate() now refuses manifests whose longest possible record would not fit.
TEST(AdversarialConsent, RegressionEveryValidManifestGivesRecordsThatDecode) {
  const std::string pid(64, 'p'), ver(32, 'V'), hash(64, 'a'), newId(32, 'R'), prevHash(64, 'f');
  int largestValid = 0;
  for (size_t len = 1; len <= 32; ++len) {
    SCOPED_TRACE("32 category ids of length " + std::to_string(len));
    std::vector<std::string> ids;
    for (int i = 0; i < 32; ++i) {
      std::string id = std::string(1, char('a' + i % 26)) + std::to_string(i);
      id = id.substr(0, len) + std::string(len > id.size() ? len - id.size() : 0, 'x');
      if (len < 3) id = std::string(1, char('a' + i % 26)) + (len == 2 ? std::string(1, char('a' + i / 26)) : "");
      ids.push_back(id);
    }
    if (len == 1) ids.resize(26);  // only 26 one-letter ids exist
    Manifest m;
    m.policyId = pid;
    m.version = ver;
    m.bodyHash = hash;
    m.publishedAtMs = kNow - 10 * kDayMs;
    for (const std::string& id : ids) m.categories.push_back({id, false, false});
    auto v = validate(m);
    if (!v.ok()) {
      EXPECT_EQ(v.code, ErrorCode::ManifestInvalid);
      EXPECT_TRUE(has(v.message(), "1024")) << v.message();
      continue;
    }
    largestValid = int(len);
    ApplyInput in;
    in.op = Op::AcceptAll;
    in.newId = newId;
    in.prevHash = prevHash;
    ApplyResult r;
    auto st = apply(m, "", kMaxMsForTest(), Signals{}, in, &r);
    ASSERT_TRUE(st.ok()) << st.message();
    std::string rec = S(encodeRecord(r.record));
    // The notice-shown record adds the longest field left (noticeVersion, 32 characters).
    in.op = Op::NoticeShown;
    ApplyResult n;
    ASSERT_TRUE(apply(m, rec, kMaxMsForTest(), Signals{}, in, &n).ok());
    for (const std::string& text : {rec, S(encodeRecord(n.record))}) {
      DecodeResult back = decodeRecord(text);
      EXPECT_TRUE(back.ok) << text.size() << " bytes: " << name(back.error);
    }
    Decision d;
    ASSERT_TRUE(decide(m, rec, kMaxMsForTest(), Signals{}, &d).ok());
    EXPECT_EQ(d.action, Action::None) << "the choice just stored must be in force";
  }
  EXPECT_GE(largestValid, 19) << "ordinary manifests (32 categories of up to 19 characters) stay valid";
  EXPECT_LT(largestValid, 32) << "32 x 32 characters cannot fit in 1024 bytes";
}
