// kelisim: the native command-line tool over the policy core (import, lint, build, diff, hash,
// history) and the consent engine (consent-cookie, decode-cookie: tools/consent_cmds.cpp).
// All decisions live in wasm/policy/; this file only reads and writes files. The Node CLI
// (web/src/cli/kelisim.js) does the same through kelisim-policy.wasm and prints the same bytes.
//
// Exit codes: 0 ok / no error-level findings, 1 error-level findings, 2 bad usage or input.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "consent_cmds.h"
#include "core/sha256.h"
#include "policy/body.h"
#include "policy/build.h"
#include "policy/diff.h"
#include "policy/import.h"
#include "policy/history.h"
#include "policy/lint.h"
#include "policy/text.h"
#include "policy/translate.h"

namespace fs = std::filesystem;
using namespace kelisim;
using namespace kelisim::policy;

namespace {

const char* kHelp =
    "kelisim - privacy-policy and consent tools: import, lint, build, diff, hash, history,\n"
    "consent-cookie, decode-cookie, scan\n"
    "\n"
    "Usage:\n"
    "  kelisim import <file> [--body] [-o <out>]\n"
    "      Policy text (plain or Markdown-ish, optional `key: value` header) -> JSON\n"
    "      {\"body\",\"header\",\"problems\"}; --body prints only the canonical body.json.\n"
    "  kelisim lint <file|policy-dir>... [--json] [--lang en|ru]\n"
    "      Findings as `file:line:col: severity[code]: message`, or one JSON array per file\n"
    "      (one per line) with --json. Languages of one version (<v>.ru.md, <v>.kk.md, …)\n"
    "      are also checked as translations of each other (one more JSON array per version).\n"
    "      Exit 1 when any finding is an error.\n"
    "  kelisim build <policies-dir> [-o <out-dir>] [--services <catalogue.json>]\n"
    "                [--kelisim-url <url> --policies-url <url> [--bundle <dist-dir>]]\n"
    "      Every <dir>/<id>/<version>.md or <version>.<lang>.md (or a single policy folder)\n"
    "      -> <out-dir>/<id>/ index.json, manifest.json, feed.xml, <version>/manifest.json,\n"
    "      <version>/body.json (body.<lang>.json per translation), <version>/diff.json;\n"
    "      consent documents <id>/consent/<doc>/<version>.<lang>.md -> <id>/consent/<doc>/….\n"
    "      Default out-dir: the input folder. Refuses sources with error-level findings (exit 1).\n"
    "      `category.<id>.services` ids are looked up in the services catalogue (default:\n"
    "      services/catalogue.json in the current folder, else the one kelisim ships with).\n"
    "      With --kelisim-url (where the page serves kelisim's dist/ files) and --policies-url\n"
    "      (where it serves <out-dir>): also <out-dir>/<id>/preload.html, the tags for the\n"
    "      page's <head> that request the banner's manifest and stylesheet with the page, and\n"
    "      <out-dir>/<id>/inline.html, the same with the manifest itself in the page (fastest).\n"
    "      With --bundle (kelisim's dist/ folder, which holds kelisim-bundled.js): also\n"
    "      <out-dir>/<id>/kelisim-bundle.js, kelisim.js with the manifest and the banner's\n"
    "      stylesheet in one file, and <out-dir>/<id>/bundle.html, its one script tag.\n"
    "  kelisim diff <old> <new> [--json]\n"
    "      What changed between two versions (sources or body.json files): summary and\n"
    "      word changes as [-removed-]{+added+}; --json prints the full diff JSON.\n"
    "  kelisim hash <file>...\n"
    "      SHA-256 of the canonical body of each source or body.json (what manifests carry).\n"
    "  kelisim history <built-policy-dir | index.json> --at <ISO instant> [--json]\n"
    "      The version in force at that instant (publication vs effective dates).\n"
    "      Exit 1 when no version was in force then.\n"
    "  kelisim consent-cookie --manifest <manifest.json> (--all | --none | --accept <cat>[,<cat>…]\n"
    "                         [--reject <cat>…]) [--at <ISO instant>] [--id <record id>]\n"
    "      The record value the banner stores (cookie `kelisim`, localStorage) after that choice:\n"
    "      --all = Accept all, --none = Reject all, --accept/--reject = Save with these switches\n"
    "      (other optional categories off). Made by the consent core; for tests and audit tools\n"
    "      that preset consent (docs/testing.md). Default --at: now; default --id: random.\n"
    "  kelisim decode-cookie <value>\n"
    "      The record a stored value holds, as JSON (id, policyId, version, bodyHash16, givenAt,\n"
    "      method, choices, docs, noticeVersion, noticeAt, historyHead, serviceMarks). Exit 1\n"
    "      when it is not a valid record (the reason, e.g. record-checksum, on stderr).\n"
    "  kelisim scan <url> [--pages N] [--out <dir>] [--lang en|ru]\n"
    "      (Node CLI only: npx kelisim scan.) Audits a site in headless Chromium: cookies,\n"
    "      storage and third-party requests with no choice, after \"reject all\" and after \"accept\n"
    "      all\"; report.json and report.html; exit 1 on violations. kelisim scan --help: options.\n"
    "\n"
    "Exit codes: 0 ok, 1 error-level lint findings, 2 bad usage or unreadable/invalid input.\n";

int usage(const std::string& msg) {
  std::fprintf(stderr, "kelisim: %s\nRun `kelisim --help` for usage.\n", msg.c_str());
  return 2;
}
int failInput(const std::string& msg) {
  std::fprintf(stderr, "kelisim: %s\n", msg.c_str());
  return 2;
}
void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

bool readFile(const std::string& path, std::string* text, std::string* err) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    *err = path + ": is a directory";
    return false;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = path + ": cannot read file";
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *text = ss.str();
  return true;
}
bool writeFile(const fs::path& path, const std::string& text, std::string* err) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f || !f.write(text.data(), std::streamsize(text.size()))) {
    *err = path.string() + ": cannot write file";
    return false;
  }
  return true;
}
bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/** Splits args into positional ones and flags; `-o x` becomes flag "-o" with value x. */
struct Args {
  std::vector<std::string> pos;
  std::vector<std::string> flags;
  std::string outPath, lang = "en", at, manifest, id, services, kelisimUrl, policiesUrl, bundle;
  std::vector<std::string> accept, reject;  // --accept / --reject: repeatable, comma lists
  bool help = false;
};
void splitInto(const std::string& v, std::vector<std::string>* out) {
  size_t i = 0;
  while (i <= v.size()) {
    size_t j = v.find(',', i);
    if (j == std::string::npos) j = v.size();
    if (j > i) out->push_back(v.substr(i, j - i));
    i = j + 1;
  }
}
/** The field a single-value option fills (`-o x`, `--lang x`, …), or null when `s` is none. */
std::string* valueOf(Args* a, const std::string& s) {
  if (s == "-o" || s == "--out") return &a->outPath;
  if (s == "--lang") return &a->lang;
  if (s == "--at") return &a->at;
  if (s == "--manifest") return &a->manifest;
  if (s == "--id") return &a->id;
  if (s == "--services") return &a->services;
  if (s == "--kelisim-url") return &a->kelisimUrl;
  if (s == "--policies-url") return &a->policiesUrl;
  if (s == "--bundle") return &a->bundle;
  return nullptr;
}
bool parseArgs(int argc, char** argv, int from, Args* a, std::string* err) {
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "-h" || s == "--help") a->help = true;
    else if (s == "--accept" || s == "--reject" || valueOf(a, s)) {
      if (i + 1 >= argc) {
        *err = s + " needs a value";
        return false;
      }
      std::string v = argv[++i];
      if (s == "--accept" || s == "--reject") splitInto(v, s == "--accept" ? &a->accept : &a->reject);
      else *valueOf(a, s) = v;
    } else if (s.size() > 1 && s[0] == '-') a->flags.push_back(s);
    else a->pos.push_back(s);
  }
  return true;
}
bool onlyFlags(const Args& a, std::initializer_list<const char*> allowed, std::string* err) {
  for (auto& f : a.flags) {
    bool ok = false;
    for (const char* x : allowed) ok |= f == x;
    if (!ok) {
      *err = "unknown option " + f;
      return false;
    }
  }
  return true;
}
bool has(const Args& a, const char* flag) { return std::find(a.flags.begin(), a.flags.end(), flag) != a.flags.end(); }

int cmdImport(const Args& a) {
  std::string err, text, json;
  if (!onlyFlags(a, {"--body"}, &err)) return usage(err);
  if (a.pos.size() != 1) return usage("import needs exactly one <file>");
  if (!readFile(a.pos[0], &text, &err)) return failInput(err);
  if (has(a, "--body")) {
    ImportResult r;
    Error e = importText(text, &r);
    if (!e.ok()) return failInput(a.pos[0] + ": " + e.message);
    json = r.bodyJson;
  } else {
    Error e = importJson(text, &json);
    if (!e.ok()) return failInput(a.pos[0] + ": " + e.message);
  }
  json += '\n';
  if (a.outPath.empty()) {
    out(json);
  } else if (!writeFile(a.outPath, json, &err)) {
    return failInput(err);
  }
  return 0;
}

std::vector<fs::path> sourcesIn(const fs::path& dir);

int cmdLint(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {"--json"}, &err)) return usage(err);
  if (a.lang != "en" && a.lang != "ru") return usage("--lang must be en or ru");
  if (a.pos.empty()) return usage("lint needs at least one <file>");
  std::string format = has(a, "--json") ? "json" : a.lang == "ru" ? "text-ru" : "text";
  std::vector<std::pair<std::string, std::string>> files;
  for (auto& arg : a.pos) {
    std::error_code ec;
    std::vector<std::string> names;
    if (fs::is_directory(arg, ec)) {  // a policy folder: its sources, sorted by name
      for (auto& p : sourcesIn(arg)) names.push_back((fs::path(arg) / p.filename()).string());
      if (names.empty()) return failInput(arg + ": no policy sources (<version>.md) in this folder");
    } else {
      names.push_back(arg);
    }
    for (auto& file : names) {
      std::string text;
      if (!readFile(file, &text, &err)) return failInput(err);
      files.emplace_back(file, std::move(text));
    }
  }
  std::string result;
  bool errors = false;
  Error e = lintSources(files, format, &result, &errors);
  if (!e.ok()) return failInput(e.message);
  out(result);
  return errors ? 1 : 0;
}

/** Absolute, normalised folder path without a trailing separator ("." -> /work/x). */
fs::path absDir(const fs::path& p) {
  fs::path a = fs::absolute(p).lexically_normal();
  return a.filename().empty() && a.has_parent_path() ? a.parent_path() : a;
}

/** Source files of one policy folder, sorted by name. */
std::vector<fs::path> sourcesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (e.is_regular_file() && (endsWith(n, ".md") || endsWith(n, ".txt")) && n != "README.md") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/** Consent document sources of one policy folder: <dir>/consent/<doc>/<version>[.<lang>].md,
 *  as (path, name for the build "<slug>/consent/<doc>/<file>"), sorted by name. */
std::vector<std::pair<fs::path, std::string>> consentSourcesIn(const fs::path& dir, const std::string& slug) {
  std::vector<std::pair<fs::path, std::string>> out;
  std::error_code ec;
  std::vector<fs::path> docs;
  for (auto& e : fs::directory_iterator(dir / "consent", ec))
    if (e.is_directory()) docs.push_back(e.path());
  std::sort(docs.begin(), docs.end());
  for (auto& d : docs)
    for (auto& f : sourcesIn(d))
      out.emplace_back(f, slug + "/consent/" + d.filename().string() + "/" + f.filename().string());
  return out;
}

/** Text as an HTML attribute value (between double quotes). */
std::string attr(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else o += c;
  }
  return o;
}

/**
 * preload.html for one built policy: its manifest preloaded as fetch() requests it
 * (`crossorigin`: CORS mode, same-origin credentials, else the browser fetches it twice) and the
 * banner's stylesheet as a style, then the script tag itself. Not the consent wasm: a first
 * visit draws its banner without it, and on slow 4G its bytes, fetched alongside, delayed the
 * banner (bench/results, session 6: 0.83× vanilla-cookieconsent without it, 0.94× with it,
 * 0.89× at fetchpriority=low); kelisim.js requests it at once on a return visit. The same
 * bytes as the JS CLI's preloadTags().
 */
/** A folder's URL as the head tags use it: with its trailing slash (head-tags.js siteUrls()). */
std::string dirUrl(const std::string& u) { return endsWith(u, "/") ? u : u + '/'; }

/** The head tags' URLs, as attribute values: *k, kelisim's dist/ folder; *m, the policy's manifest. */
void headUrls(const std::string& kelisimUrl, const std::string& policiesUrl, const std::string& slug, std::string* k, std::string* m) {
  *k = attr(dirUrl(kelisimUrl));
  *m = attr(dirUrl(policiesUrl) + slug + "/manifest.json");
}

std::string preloadTags(const std::string& kelisimUrl, const std::string& policiesUrl, const std::string& slug) {
  std::string k, m;
  headUrls(kelisimUrl, policiesUrl, slug, &k, &m);
  return "<!-- kelisim, in <head>: the banner's manifest and stylesheet are requested with the page, not after kelisim.js has run -->\n"
         "<link rel=\"preload\" href=\"" + m + "\" as=\"fetch\" crossorigin>\n"
         "<link rel=\"preload\" href=\"" + k + "kelisim-banner.css\" as=\"style\">\n"
         "<script src=\"" + k + "kelisim.js\" data-policy=\"" + m + "\" defer></script>\n";
}

/**
 * inline.html for one built policy: the manifest itself in the page, a JSON data block that a
 * strict CSP allows (`<` written as \u003c, so no text in the policy can end the element), its
 * address in data-url; then the stylesheet preloaded and the script tag. The banner then waits
 * for no request but its stylesheet (bench/results, session 7: 0.70× vanilla-cookieconsent at 4×
 * CPU and 0.71× on the phone, against 0.86× and 0.77× with preload.html). The page must carry
 * the manifest of the policy's current build. The same bytes as the JS CLI's inlineTags().
 */
std::string inlineTags(const std::string& kelisimUrl, const std::string& policiesUrl, const std::string& slug, std::string manifest) {
  std::string k, m;
  headUrls(kelisimUrl, policiesUrl, slug, &k, &m);
  while (!manifest.empty() && manifest.back() == '\n') manifest.pop_back();
  std::string json;
  for (char c : manifest) {
    if (c == '<') json += "\\u003c";
    else json += c;
  }
  return "<!-- kelisim, in <head>: the policy manifest in the page (replace it with each build of the policy) and the banner's stylesheet requested with the page -->\n"
         "<script type=\"application/json\" id=\"kelisim-policy\" data-url=\"" + m + "\">" + json + "</script>\n"
         "<link rel=\"preload\" href=\"" + k + "kelisim-banner.css\" as=\"style\">\n"
         "<script src=\"" + k + "kelisim.js\" data-policy=\"#kelisim-policy\" defer></script>\n";
}

std::string base64(const uint8_t* p, size_t n) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t(p[i]) << 16 | (i + 1 < n ? uint32_t(p[i + 1]) << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    o += kAlphabet[v >> 18 & 63];
    o += kAlphabet[v >> 12 & 63];
    o += i + 1 < n ? kAlphabet[v >> 6 & 63] : '=';
    o += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return o;
}

/** dist/kelisim-bundled.js's first line (byte order mark, V8's compile hint), after which a site's part goes. */
const std::string kBundleFirstLine = "\xEF\xBB\xBF//# allFunctionsCalledOnLoad\n";

/**
 * [issue 14] kelisim-bundle.js for one built policy (`--bundle <dist-dir>`): kelisim-bundled.js
 * with `self.kelisimBundle = { base, url, css, policy }` after its first line (which must stay
 * at the top), so that a page's one script tag draws the banner after one request. The same
 * bytes as the JS CLI's bundleScript() (web/src/cli/head-tags.js).
 */
std::string bundleScript(const std::string& tmpl, const std::string& css, std::string manifest, const std::string& kelisimUrl,
                         const std::string& policiesUrl, const std::string& slug) {
  // As JSON.stringify writes a string (nlohmann's escapes are the same for valid UTF-8, which
  // the URLs and the stylesheet are once read through sanitizeUtf8, below).
  auto str = [](const std::string& v) { return nlohmann::json(v).dump(); };
  while (!manifest.empty() && manifest.back() == '\n') manifest.pop_back();
  std::string head = "self.kelisimBundle={\"base\":" + str(dirUrl(kelisimUrl)) + ",\"url\":" +
                     str(dirUrl(policiesUrl) + slug + "/manifest.json") + ",\"css\":" + str(css) +
                     ",\"policy\":" + manifest + "};\n";
  return kBundleFirstLine + head + tmpl.substr(kBundleFirstLine.size());
}

/** bundle.html: the one tag for the site's pages and the hash a strict CSP allows the banner's stylesheet by (head-tags.js bundleTags()). */
std::string bundleTags(const std::string& css, const std::string& policiesUrl, const std::string& slug) {
  Sha256 h;
  h.update(css);
  auto d = h.digest();
  return "<!-- kelisim, in <head>: kelisim.js with this policy's manifest and the banner's stylesheet in one file "
         "(write it again with each build of the policy and each kelisim update); under a strict CSP, add 'sha256-" +
         base64(d.data(), d.size()) +
         "' to style-src for its stylesheet (without it the stylesheet is requested: one round trip more) -->\n"
         "<script src=\"" + attr(dirUrl(policiesUrl) + slug + "/") + "kelisim-bundle.js\" defer></script>\n";
}

int cmdBuild(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {}, &err)) return usage(err);
  if (a.pos.size() != 1) return usage("build needs exactly one <policies-dir>");
  if (a.kelisimUrl.empty() != a.policiesUrl.empty()) return usage("--kelisim-url and --policies-url go together");
  if (!a.bundle.empty() && a.kelisimUrl.empty()) return usage("--bundle needs --kelisim-url and --policies-url");
  std::string bundleTemplate, bundleCss;
  if (!a.bundle.empty()) {
    std::string t = (fs::path(a.bundle) / "kelisim-bundled.js").string();
    if (!readFile(t, &bundleTemplate, &err) || !readFile((fs::path(a.bundle) / "kelisim-banner.css").string(), &bundleCss, &err))
      return failInput(err);
    if (bundleTemplate.compare(0, kBundleFirstLine.size(), kBundleFirstLine) != 0)
      return failInput(t + ": not kelisim's bundle template (its first line is a byte order mark and //# allFunctionsCalledOnLoad)");
    // Read as the JS CLI reads them (TextDecoder: invalid bytes become U+FFFD), so both write
    // the same bytes, and the hash is of the text the page gets.
    bundleTemplate = sanitizeUtf8(bundleTemplate);
    bundleCss = sanitizeUtf8(bundleCss);
  }
  fs::path root = fs::path(a.pos[0]).lexically_normal();
  if (root.filename().empty() && root.has_parent_path() && root != root.root_path()) root = root.parent_path();  // "dir/"
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return failInput(root.string() + ": not a directory");
  fs::path outRoot = a.outPath.empty() ? root : fs::path(a.outPath);
  // Policies: the subfolders holding sources, or the folder itself when it holds sources.
  std::vector<fs::path> dirs;
  if (!sourcesIn(root).empty()) {
    dirs.push_back(root);
    if (a.outPath.empty()) {  // next to the folder: policies/toolpars -> policies/toolpars
      outRoot = root.parent_path();
      if (outRoot.empty() || root.filename() == "." || root.filename() == "..")
        outRoot = absDir(root).parent_path();
    }
  } else {
    for (auto& e : fs::directory_iterator(root, ec))
      if (e.is_directory() && !sourcesIn(e.path()).empty()) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
  }
  if (dirs.empty()) return failInput(root.string() + ": no policy sources (<id>/<version>.md) found");
  // The services catalogue (issue 12): --services, else services/catalogue.json here or in
  // the repository this binary was built from. Only needed when a policy declares services.
  std::string catalogue;
  if (!a.services.empty()) {
    if (!readFile(a.services, &catalogue, &err)) return failInput(err);
  } else {
    // build/native/kelisim → <repo>/services/catalogue.json (Linux: /proc/self/exe).
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    for (const fs::path& p : {fs::path("services/catalogue.json"), exe.parent_path() / "../../services/catalogue.json"})
      if (fs::is_regular_file(p, ec) && readFile(p.string(), &catalogue, &err)) break;
  }
  int status = 0;
  for (auto& dir : dirs) {
    FileList sources;
    bool lintErrors = false;
    std::string slug = absDir(dir).filename().string();
    std::vector<std::pair<fs::path, std::string>> files;
    for (auto& f : sourcesIn(dir)) files.emplace_back(f, slug + "/" + f.filename().string());
    for (auto& c : consentSourcesIn(dir, slug)) files.push_back(c);
    for (auto& [f, name] : files) {
      std::string text;
      if (!readFile(f.string(), &text, &err)) return failInput(err);
      std::vector<Finding> findings;
      Error e = lint(text, &findings);
      if (!e.ok()) return failInput(f.string() + ": " + e.message);
      std::vector<Finding> errs;
      for (auto& x : findings)
        if (x.severity == "error") errs.push_back(x);
      if (!errs.empty()) {
        std::string t = findingsText(f.string(), errs);
        std::fwrite(t.data(), 1, t.size(), stderr);
        lintErrors = true;
      }
      sources.emplace_back(name, std::move(text));
    }
    if (lintErrors) {
      std::fprintf(stderr, "kelisim: %s: not built (error-level findings above)\n", slug.c_str());
      status = 1;
      continue;
    }
    FileList built;
    Error e = buildPolicy(sources, &built, catalogue);
    if (!e.ok()) return failInput(e.message);
    fs::path target = outRoot / slug;
    for (auto& f : built)
      if (!writeFile(target / f.first, f.second, &err)) return failInput(err);
    size_t versions = 0, docs = 0;
    for (auto& f : built) {
      bool consent = f.first.compare(0, 8, "consent/") == 0;
      versions += !consent && endsWith(f.first, "/manifest.json");
      docs += consent && endsWith(f.first, "/index.json");
    }
    std::string withDocs = docs ? ", " + std::to_string(docs) + " consent document(s)" : "";
    std::printf("built %s: %zu version(s)%s -> %s\n", slug.c_str(), versions, withDocs.c_str(), target.string().c_str());
    if (!a.kelisimUrl.empty()) {
      fs::path file = target / "preload.html";
      if (!writeFile(file, preloadTags(a.kelisimUrl, a.policiesUrl, slug), &err)) return failInput(err);
      std::printf("preload tags for %s's pages -> %s\n", slug.c_str(), file.string().c_str());
      std::string manifest;
      for (auto& f : built)
        if (f.first == "manifest.json") manifest = f.second;
      fs::path inline_ = target / "inline.html";
      if (!writeFile(inline_, inlineTags(a.kelisimUrl, a.policiesUrl, slug, manifest), &err)) return failInput(err);
      std::printf("tags with the manifest in the page -> %s\n", inline_.string().c_str());
      if (!a.bundle.empty()) {
        fs::path js = target / "kelisim-bundle.js", tag = target / "bundle.html";
        if (!writeFile(js, bundleScript(bundleTemplate, bundleCss, manifest, a.kelisimUrl, a.policiesUrl, slug), &err) ||
            !writeFile(tag, bundleTags(bundleCss, a.policiesUrl, slug), &err))
          return failInput(err);
        std::printf("one file with the manifest and the stylesheet -> %s, its tag -> %s\n", js.string().c_str(), tag.string().c_str());
      }
    }
  }
  return status;
}

/** A body from a source (imported) or a body.json file (canonicalised). */
bool loadBody(const std::string& path, Body* body, std::string* canonical, std::string* err) {
  std::string text;
  if (!readFile(path, &text, err)) return false;
  std::string json = text;
  if (!endsWith(path, ".json")) {
    ImportResult r;
    Error e = importText(text, &r);
    if (!e.ok()) {
      *err = path + ": " + e.message;
      return false;
    }
    json = r.bodyJson;
  }
  Error e = parseBody(json, body, canonical);
  if (!e.ok()) {
    *err = path + ": " + e.message;
    return false;
  }
  return true;
}

/** <ins>/<del> HTML -> git-style word diff text; entities unescaped, other tags dropped. */
std::string htmlToText(const std::string& h) {
  std::string o;
  for (size_t i = 0; i < h.size();) {
    if (h[i] == '<') {
      size_t e = h.find('>', i);
      if (e == std::string::npos) break;
      std::string tag = h.substr(i, e - i + 1);
      o += tag == "<ins>" ? "{+" : tag == "</ins>" ? "+}" : tag == "<del>" ? "[-" : tag == "</del>" ? "-]" : "";
      i = e + 1;
    } else if (h[i] == '&') {
      static const std::pair<const char*, char> kEnt[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
      bool done = false;
      for (auto& en : kEnt)
        if (h.compare(i, std::char_traits<char>::length(en.first), en.first) == 0) {
          o += en.second;
          i += std::char_traits<char>::length(en.first);
          done = true;
          break;
        }
      if (!done) o += h[i++];
    } else {
      o += h[i++];
    }
  }
  return o;
}
std::string joinNums(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s.empty() ? "-" : s;
}

int cmdDiff(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {"--json"}, &err)) return usage(err);
  if (a.pos.size() != 2) return usage("diff needs <old> and <new>");
  Body oldB, newB;
  if (!loadBody(a.pos[0], &oldB, nullptr, &err) || !loadBody(a.pos[1], &newB, nullptr, &err)) return failInput(err);
  DiffResult d = diffBodies(oldB, newB);
  if (has(a, "--json")) {
    out(diffJson(d) + "\n");
    return 0;
  }
  std::string s = "added: " + joinNums(d.added) + "\nremoved: " + joinNums(d.removed) + "\nchanged: " + joinNums(d.changed) +
                  "\nmoved: " + joinNums(d.moved) + "\n";
  for (auto& c : d.clauses) {
    if (c.status == DiffStatus::Same) continue;
    std::string label = c.num.empty() ? "(text outside clauses)" : c.num;
    if (!c.oldNum.empty()) label += " (was " + c.oldNum + ")";
    s += "\n" + std::string(diffStatusName(c.status)) + " " + label + ": " + htmlToText(c.html) + "\n";
  }
  out(s);
  return 0;
}

int cmdHash(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {}, &err)) return usage(err);
  if (a.pos.empty()) return usage("hash needs at least one <file>");
  for (auto& file : a.pos) {
    std::string hex;
    if (endsWith(file, ".json")) {
      Body body;
      std::string canonical;
      if (!loadBody(file, &body, &canonical, &err)) return failInput(err);
      hex = sha256_hex(canonical);
    } else {
      std::string text;
      if (!readFile(file, &text, &err)) return failInput(err);
      Error e = bodyHash(text, &hex);
      if (!e.ok()) return failInput(file + ": " + e.message);
    }
    out(hex + "  " + file + "\n");
  }
  return 0;
}

int cmdHistory(const Args& a) {
  std::string err, text, result;
  if (!onlyFlags(a, {"--json"}, &err)) return usage(err);
  if (a.pos.size() != 1) return usage("history needs exactly one <built-policy-dir> (or its index.json)");
  if (a.at.empty()) return usage("history needs --at <ISO instant>");
  std::error_code ec;
  std::string index = fs::is_directory(a.pos[0], ec) ? (fs::path(a.pos[0]) / "index.json").string() : a.pos[0];
  if (!readFile(index, &text, &err)) return failInput(err);
  bool found = false;
  Error e = historyAt(text, a.at, has(a, "--json") ? "json" : "text", &result, &found);
  if (e.code == ErrorCode::BadArgument) return usage(e.message);
  if (!e.ok()) return failInput(index + ": " + e.message);
  out(has(a, "--json") ? result + "\n" : result);
  return found ? 0 : 1;
}

int cmdConsentCookie(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {"--all", "--none"}, &err)) return usage(err);
  if (!a.pos.empty()) return usage("consent-cookie takes no file arguments (use --manifest <file>)");
  cli::ConsentCookieArgs c;
  c.manifestPath = a.manifest;
  c.all = has(a, "--all");
  c.none = has(a, "--none");
  c.accept = a.accept;
  c.reject = a.reject;
  c.at = a.at;
  c.id = a.id;
  return cli::consentCookie(c);
}

int cmdDecodeCookie(const Args& a) {
  std::string err;
  if (!onlyFlags(a, {}, &err)) return usage(err);
  if (a.pos.size() != 1) return usage("decode-cookie needs exactly one <value>");
  return cli::decodeCookie(a.pos[0]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("missing command");
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    out(kHelp);
    return 0;
  }
  Args a;
  std::string err;
  if (!parseArgs(argc, argv, 2, &a, &err)) return usage(err);
  if (a.help) {
    out(kHelp);
    return 0;
  }
  if (cmd == "import") return cmdImport(a);
  if (cmd == "lint") return cmdLint(a);
  if (cmd == "build") return cmdBuild(a);
  if (cmd == "diff") return cmdDiff(a);
  if (cmd == "hash") return cmdHash(a);
  if (cmd == "history") return cmdHistory(a);
  if (cmd == "consent-cookie") return cmdConsentCookie(a);
  if (cmd == "decode-cookie") return cmdDecodeCookie(a);
  if (cmd == "scan") {  // drives a browser: the Node CLI has it (web/src/cli/scan/, docs/auditing.md)
    std::fprintf(stderr, "kelisim: scan is in the Node CLI (npx kelisim scan <url>): it drives headless Chromium\n");
    return 2;
  }
  return usage("unknown command `" + cmd + "`");
}
