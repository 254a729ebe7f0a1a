// Runs the policy module functions over every policy in policies/ and over the XSS corpus
// (tests/fixtures/xss/payloads.json) natively, checks their properties, and writes every
// output to <build>/policy-golden/{policies,xss}.json; tests/node/policy-golden.test.js requires the wasm
// build to produce the same bytes for each entry (render, search, diff, lint, import, hash)
// and tests/browser/xss.test.js loads the rendered corpus in Chromium.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/sha256.h"
#include "policy/body.h"
#include "policy/build.h"
#include "policy/diff.h"
#include "policy/import.h"
#include "policy/lint.h"
#include "policy/render.h"
#include "policy/search.h"
#include "policy/text.h"
#include "policy/translate.h"

using json = nlohmann::ordered_json;
using namespace kelisim::policy;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

json readJson(const fs::path& p) { return json::parse(slurp(p), nullptr, false); }

const fs::path kRoot = KELISIM_SOURCE_DIR;

// Writes the outputs shared with the node and browser tests (one file per test: ctest runs
// each test in its own process).
void writeGolden(const char* name, const json& g) {
  fs::create_directories(KELISIM_BINARY_DIR "/policy-golden");
  std::ofstream(std::string(KELISIM_BINARY_DIR "/policy-golden/") + name, std::ios::binary) << g.dump(1) << "\n";
}

struct Source {
  std::string key;   // "smartaqkol/2.md"
  std::string text;
};

// policies/<slug>/<version>.md, slugs sorted, versions in version order.
std::vector<Source> policySources() {
  std::vector<Source> out;
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kRoot / "policies"))
    if (d.is_directory()) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& d : dirs) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(d))
      if (f.path().extension() == ".md") files.push_back(f.path());
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return compareVersions(a.stem().string(), b.stem().string()) < 0;
    });
    for (const fs::path& f : files) out.push_back({d.filename().string() + "/" + f.filename().string(), slurp(f)});
  }
  return out;
}

std::vector<std::string> queries() {
  std::vector<std::string> q;
  json doc = readJson(kRoot / "tests/fixtures/policy-search/queries.json");
  for (const auto& v : doc["queries"]) q.push_back(v.get<std::string>());
  EXPECT_GE(q.size(), 20u);
  return q;
}

Body mustParse(const std::string& bodyJson, std::string* canonical = nullptr) {
  Body b;
  auto e = parseBody(bodyJson, &b, canonical);
  EXPECT_TRUE(e.ok()) << e.message;
  return b;
}

std::string searchAll(const Body& b, const std::vector<std::string>& qs) {
  SearchIndex idx(b);
  std::string out = "[";
  for (size_t i = 0; i < qs.size(); ++i) {
    if (i) out += ',';
    out += searchJson(idx.find(qs[i], SearchOptions()));
  }
  return out + "]";
}

// ---- HTML checker: every '<' in our output starts a tag we allow (text is escaped). -----
const std::set<std::string> kTags = {"h2", "h3", "h4", "h5", "h6", "nav", "ol", "ul", "li", "a", "p",
                                     "section", "div", "em", "strong", "mark", "ins", "del"};
const std::set<std::string> kAttrs = {"class", "id", "href", "target", "rel", "aria-label"};

// Returns "" when fine, else what is wrong.
std::string checkHtml(const std::string& h) {
  size_t i = 0;
  while ((i = h.find('<', i)) != std::string::npos) {
    size_t j = i + 1;
    if (j < h.size() && h[j] == '/') ++j;
    size_t n = j;
    while (n < h.size() && ((h[n] >= 'a' && h[n] <= 'z') || (h[n] >= '0' && h[n] <= '9'))) ++n;
    std::string tag = h.substr(j, n - j);
    if (!kTags.count(tag)) return "tag <" + h.substr(j, 20) + "> at " + std::to_string(i);
    size_t end = h.find('>', n);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    // attributes: ( name="value")*
    size_t k = n;
    while (k < end) {
      if (h[k] != ' ') return "junk in tag at " + std::to_string(k);
      size_t eq = h.find("=\"", k);
      if (eq == std::string::npos || eq > end) return "attribute without value at " + std::to_string(k);
      std::string name = h.substr(k + 1, eq - k - 1);
      if (!kAttrs.count(name)) return "attribute " + name + " at " + std::to_string(k);
      size_t close = h.find('"', eq + 2);
      if (close == std::string::npos) return "unterminated attribute";
      std::string value = h.substr(eq + 2, close - eq - 2);
      if (value.find('<') != std::string::npos || value.find('>') != std::string::npos) return "raw < or > in attribute";
      if (name == "href") {
        std::string lower = foldCase(value);
        if (!(lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0 || lower.rfind("mailto:", 0) == 0 ||
              lower.rfind("#", 0) == 0))
          return "href " + value;
      }
      k = close + 1;
    }
    i = end + 1;
  }
  for (const char* bad : {"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
                          "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"})
    if (h.find(bad) != std::string::npos) return "bidi control left in output";
  if (h.find('\0') != std::string::npos) return "NUL in output";
  if (sanitizeUtf8(h) != h) return "invalid UTF-8 in output";
  return "";
}

std::string hexBytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// A JSON string literal holding raw bytes (maybe invalid UTF-8): what a file on disk could hold.
std::string rawJsonString(const std::string& bytes) {
  std::string out = "\"";
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') { out += '\\'; out += c; }
    else if (u < 0x20) { char buf[8]; snprintf(buf, sizeof buf, "\\u%04x", u); out += buf; }
    else out += c;
  }
  return out + "\"";
}

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

}  // namespace

TEST(PolicyGolden, EveryPolicy) {
  std::vector<Source> sources = policySources();
  ASSERT_GE(sources.size(), 5u) << "policies/ should hold the five seeds";
  std::vector<std::string> qs = queries();
  std::vector<std::pair<std::string, Body>> bodies;
  json g = json::object();
  for (const Source& s : sources) {
    SCOPED_TRACE(s.key);
    std::string imported;
    ASSERT_TRUE(importJson(s.text, &imported).ok());
    ImportResult r;
    ASSERT_TRUE(importText(s.text, &r).ok());
    std::string canonical;
    Body b = mustParse(r.bodyJson, &canonical);
    EXPECT_EQ(canonical, r.bodyJson) << "the importer writes the canonical form";
    std::string html = renderHtml(b, RenderOptions());
    RenderOptions o2;
    o2.lang = "en";
    o2.idPrefix = "kel-";
    o2.toc = false;
    o2.title = false;
    std::string html2 = renderHtml(b, o2);
    std::vector<Finding> findings;
    ASSERT_TRUE(lint(s.text, &findings).ok());

    // Every clause has exactly one anchor, in the plain and the prefixed rendering.
    std::vector<TextUnit> units = textUnits(b, false);
    EXPECT_GT(units.size(), 10u);
    for (const TextUnit& u : units) {
      std::string id = "id=\"p-" + u.num + "\"";
      size_t at = html.find(id);
      EXPECT_NE(at, std::string::npos) << id;
      EXPECT_EQ(html.find(id, at + 1), std::string::npos) << "duplicate " << id;
      EXPECT_NE(html2.find("id=\"kel-p-" + u.num + "\""), std::string::npos);
    }
    EXPECT_EQ(checkHtml(html), "");
    EXPECT_EQ(checkHtml(html2), "");

    // Search finds every clause whose folded text contains a one-word query, and only those.
    SearchIndex idx(b);
    for (const std::string& q : qs) {
      std::string fq = foldCase(cleanText(q, true));
      if (fq.empty() || fq.find(' ') != std::string::npos) continue;
      std::vector<std::string> want;
      for (const TextUnit& u : units)
        if (foldCase(u.text).find(fq) != std::string::npos) want.push_back(u.num);
      SearchOptions all;
      all.limit = 100000;
      std::vector<std::string> got;
      for (const SearchHit& h : idx.find(q, all)) {
        got.push_back(h.num);
        EXPECT_EQ(checkHtml(h.snippet), "") << h.snippet;
        EXPECT_NE(h.snippet.find("<mark>"), std::string::npos) << q;
      }
      EXPECT_EQ(got, want) << q;
    }

    // A body against itself: nothing changed.
    DiffResult self = diffBodies(b, b);
    EXPECT_TRUE(self.added.empty() && self.removed.empty() && self.changed.empty() && self.moved.empty());

    g["policy/" + s.key + "/import"] = imported;
    g["policy/" + s.key + "/hash"] = kelisim::sha256_hex(canonical);
    g["policy/" + s.key + "/render"] = html;
    g["policy/" + s.key + "/render-en-kel-bare"] = html2;
    g["policy/" + s.key + "/search"] = searchAll(b, qs);
    g["policy/" + s.key + "/lint"] = findingsJson(findings);
    bodies.push_back({s.key, std::move(b)});
  }
  // Diffs: each version against the next one of the same policy, and each policy's first
  // version against the next policy's (unrelated texts: the worst case for alignment).
  for (size_t i = 0; i + 1 < bodies.size(); ++i) {
    const std::string& a = bodies[i].first;
    const std::string& b = bodies[i + 1].first;
    DiffResult d = diffBodies(bodies[i].second, bodies[i + 1].second);
    for (const DiffClause& c : d.clauses) EXPECT_EQ(checkHtml(c.html), "") << c.html;
    g["diff/" + a + "|" + b] = diffJson(d);
  }
  writeGolden("policies.json", g);
}

// The translation fixtures (tests/fixtures/policy/translations/<case>/1.{ru,kk}.md): import,
// render, search (the shared queries plus Kazakh ones) and lint of each source, the diff of
// the two languages, what `kelisim lint <case>/` prints (text and JSON) and the build of each
// case (its output files, or the error for a misaligned pair).
TEST(PolicyGolden, TranslationFixtures) {
  std::vector<std::string> qs = queries();
  for (const char* q : {"деректер", "оператор", "privacy@example.kz", "2.1-тармақта", "Құпиялылық саясаты"}) qs.push_back(q);
  json g = json::object();
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(kRoot / "tests/fixtures/policy/translations")) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  ASSERT_GE(dirs.size(), 13u);
  for (const fs::path& d : dirs) {
    std::string name = d.filename().string();
    SCOPED_TRACE(name);
    std::vector<std::pair<std::string, std::string>> files;
    std::vector<Body> bodies;
    for (const char* lang : {"ru", "kk"}) {
      std::string key = name + "/1." + lang + ".md";
      std::string text = slurp(d / (std::string("1.") + lang + ".md"));
      std::string imported;
      ASSERT_TRUE(importJson(text, &imported).ok());
      ImportResult r;
      ASSERT_TRUE(importText(text, &r).ok());
      Body b = mustParse(r.bodyJson, nullptr);
      std::vector<Finding> findings;
      ASSERT_TRUE(lint(text, &findings).ok());
      g["translation/" + key + "/import"] = imported;
      g["translation/" + key + "/render"] = renderHtml(b, RenderOptions());
      g["translation/" + key + "/search"] = searchAll(b, qs);
      g["translation/" + key + "/lint"] = findingsJson(findings);
      files.emplace_back("tests/fixtures/policy/translations/" + key, text);
      bodies.push_back(std::move(b));
    }
    g["translation/" + name + "/diff"] = diffJson(diffBodies(bodies[0], bodies[1]));
    for (const char* format : {"text", "json"}) {
      std::string out;
      bool errors = false;
      ASSERT_TRUE(lintSources(files, format, &out, &errors).ok());
      g["translation/" + name + "/lint-sources-" + format] = out;
    }
    std::string in = json::array({json::array({"fixture/1.ru.md", files[0].second}), json::array({"fixture/1.kk.md", files[1].second})}).dump();
    std::string built;
    kelisim::Error e = buildJson(in, &built);
    g["translation/" + name + "/build"] = e.ok() ? built : "error: " + e.message;
    if (name == "clean") EXPECT_TRUE(e.ok()) << e.message;
  }
  writeGolden("translations.json", g);
}

TEST(PolicyGolden, XssCorpus) {
  json doc = readJson(kRoot / "tests/fixtures/xss/payloads.json");
  ASSERT_TRUE(doc.is_object());
  ASSERT_GE(doc["cases"].size(), 30u);
  std::string textTemplate = doc["textTemplate"].dump();
  std::string hrefTemplate = doc["hrefTemplate"].dump();
  std::string inlineTemplate = doc["inlineTemplate"].dump();
  Body plain = mustParse(replaceAll(textTemplate, "\"$TEXT\"", "\"plain text\""));
  std::set<std::string> ids;
  json g = json::object();
  for (const json& c : doc["cases"]) {
    std::string id = c["id"].get<std::string>();
    SCOPED_TRACE(id);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id";
    std::string bodyJson;
    if (c.contains("text")) bodyJson = replaceAll(textTemplate, "\"$TEXT\"", json(c["text"]).dump());
    else if (c.contains("href")) bodyJson = replaceAll(hrefTemplate, "\"$HREF\"", json(c["href"]).dump());
    else if (c.contains("inline")) bodyJson = replaceAll(inlineTemplate, "\"$INLINE\"", c["inline"].dump());
    else if (c.contains("hex")) bodyJson = replaceAll(textTemplate, "\"$TEXT\"", rawJsonString(hexBytes(c["hex"].get<std::string>())));
    else if (c.contains("source")) {
      ImportResult r;
      ASSERT_TRUE(importText(c["source"].get<std::string>(), &r).ok());
      bodyJson = r.bodyJson;
    }
    ASSERT_FALSE(bodyJson.empty()) << "unknown case kind";
    Body b = mustParse(bodyJson);
    std::string html = renderHtml(b, RenderOptions());
    EXPECT_EQ(checkHtml(html), "") << html;
    SearchIndex idx(b);
    std::string snippets;
    for (const char* q : {"script", "window", "onerror", "javascript", "<", "\""}) snippets += searchJson(idx.find(q, SearchOptions()));
    std::string diff = diffJson(diffBodies(plain, b));
    EXPECT_FALSE(json::parse(diff, nullptr, false).is_discarded());
    for (const DiffClause& dc : diffBodies(plain, b).clauses) EXPECT_EQ(checkHtml(dc.html), "") << dc.html;
    for (const SearchHit& h : idx.find("script", SearchOptions())) EXPECT_EQ(checkHtml(h.snippet), "");
    g["xss/" + id + "/render"] = html;
    g["xss/" + id + "/search"] = snippets;
    g["xss/" + id + "/diff"] = diff;
  }
  writeGolden("xss.json", g);
}

TEST(PolicyGolden, ErrorsAndEscapes) {
  json doc = readJson(kRoot / "tests/fixtures/policy-bodies/invalid.json");
  ASSERT_TRUE(doc.is_object());
  json g = json::object();
  size_t i = 0;
  for (const json& t : doc["bodies"]) {
    Body b;
    auto e = parseBody(t.get<std::string>(), &b);
    EXPECT_FALSE(e.ok()) << t.get<std::string>();
    EXPECT_EQ(e.message.rfind("body: ", 0), 0u);
    g["error/" + std::to_string(i++)] = e.message;
  }
  i = 0;
  for (const json& t : doc["escapes"]) {
    std::string out;
    ASSERT_TRUE(importJson(t.get<std::string>(), &out).ok());
    g["escape/" + std::to_string(i++)] = out;
  }
  writeGolden("errors.json", g);
}

// Big clauses: products of word counts pass 2^32 (size_t is 32-bit in wasm), LCS caps hit.
// The bodies are written next to the outputs; the node test diffs the same files.
TEST(PolicyGolden, BigBodies) {
  uint32_t seed = 12345;
  auto word = [&]() {
    seed = seed * 1103515245u + 12345u;
    return "слово" + std::to_string((seed >> 8) % 5000);
  };
  std::vector<std::string> words;
  for (int i = 0; i < 60000; ++i) words.push_back(word());
  auto clause = [&](const std::string& num, int every) {
    std::string text;
    for (size_t i = 0; i < words.size(); ++i) {
      if (!text.empty()) text += ' ';
      text += (every && i % every == 0) ? "замена" + std::to_string(i) : words[i];
    }
    return json{{"k", "clause"}, {"num", num}, {"id", "p-" + num}, {"children", json::array({json{{"k", "p"}, {"c", json::array({text})}}})}};
  };
  json oldBody = {{"format", 1}, {"title", "big"}, {"children", json::array({clause("1", 0), clause("9", 3)})}};
  json newBody = {{"format", 1}, {"title", "big"}, {"children", json::array({clause("2", 7), clause("3", 10), clause("9", 4)})}};
  std::string a = oldBody.dump(), b = newBody.dump();
  Body ba = mustParse(a), bb = mustParse(b);
  DiffResult d = diffBodies(ba, bb);
  // Old 1 goes to the most similar new clause (3: 90% of words kept), not the first (2: 86%).
  ASSERT_EQ(d.clauses.size(), 3u);
  EXPECT_EQ(d.clauses[1].num, "3");
  EXPECT_EQ(d.clauses[1].oldNum, "1");
  EXPECT_EQ(d.clauses[1].status, DiffStatus::Changed);
  EXPECT_EQ(d.clauses[0].status, DiffStatus::Added);
  fs::create_directories(KELISIM_BINARY_DIR "/policy-golden");
  std::ofstream(KELISIM_BINARY_DIR "/policy-golden/big-old.json", std::ios::binary) << a;
  std::ofstream(KELISIM_BINARY_DIR "/policy-golden/big-new.json", std::ios::binary) << b;
  writeGolden("big.json", json{{"diff", diffJson(d)}});
}
