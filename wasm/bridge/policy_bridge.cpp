// kel_* bridge of the policy modules, built twice from this file (CMakeLists.txt): the
// viewer's kelisim-policy.wasm (policy.exports: parse, render, search, diff, history; loaded
// lazily by the viewer and the "what changed" notice, never on the banner path) and the
// authors' kelisim-policy-tools.wasm (policy-tools.exports: all of it plus import, lint,
// build, hash; the Node CLI and the headless core's default). Called from
// web/src/engine/policy.js (and web/src/cli/kelisim.js). See wasm/bridge/common.h for the
// calling convention: strings in as (ptr, len), int32 status out (0 ok, else an ErrorCode),
// the text result (or the error message) in the result slot.
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <utility>

#include "bridge/common.h"
#include "core/sha256.h"
#include "policy/body.h"
#include "policy/build.h"
#include "policy/diff.h"
#include "policy/history.h"
#include "policy/import.h"
#include "policy/lint.h"
#include "policy/render.h"
#include "policy/search.h"
#include "policy/translate.h"

using namespace kelisim;
using namespace kelisim::policy;
using kelisim_bridge::finish;
using kelisim_bridge::view;

namespace {

// ===========================================================================
// Parsed-body cache
// ===========================================================================
// The viewer renders a body once and then searches it on every keystroke; parsing 25 KB of
// JSON costs more than the search itself. The last two bodies (old and new for a diff) are
// kept parsed, keyed by their exact bytes, so results never depend on the cache.
struct Cached {
  std::string text;
  Body body;
  std::unique_ptr<SearchIndex> index;  // built on the first search
};
std::unique_ptr<Cached> gCache[2];

// Returns the parsed body for `text` (from the cache or freshly parsed), or null with *err set.
// The returned entry is the most recent one (slot 0), so it survives the next lookup.
Cached* bodyFor(std::string_view text, Error* err) {
  if (gCache[0] && gCache[0]->text == text) return gCache[0].get();
  if (gCache[1] && gCache[1]->text == text) {
    std::swap(gCache[0], gCache[1]);
    return gCache[0].get();
  }
  auto fresh = std::make_unique<Cached>();
  *err = parseBody(text, &fresh->body);
  if (!err->ok()) return nullptr;
  fresh->text = std::string(text);
  gCache[1] = std::move(gCache[0]);
  gCache[0] = std::move(fresh);
  return gCache[0].get();
}

int32_t fail(const Error& e) { return finish(int32_t(e.code), e.message); }

bool validPrefix(std::string_view p) {
  if (p.size() > 64) return false;
  for (char c : p)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

}  // namespace

// ===========================================================================
// Small libc replacements (this module only)
// ===========================================================================
// nlohmann_json calls snprintf for "\\u%04x" escapes and "<U+%.4X>" in error messages, and
// strtod for numbers with a fraction or exponent. musl's printf_core and strtod drag in
// software long double arithmetic: ~11 KB of the module's gzip size (measured: 77.8 KB ->
// 66.2 KB). These definitions take precedence over libc.a's. kelisim's JSON holds integers
// only (parseJson refuses any other number), so strtod's result is never used for output;
// it is still exact for up to 15 significant digits and exponents within +-22 (Clinger's
// fast path) and close otherwise. snprintf handles %d %i %u %x %X %c %s %% with flags - 0,
// width, precision and the hh h l ll z j t modifiers; any other conversion writes nothing.
// tests/node/policy-golden.test.js compares error messages and escapes with the native
// build (real libc) byte for byte.
extern "C" {

int vsnprintf(char* __restrict out, size_t cap, const char* __restrict f, va_list ap) {
  size_t n = 0;
  auto put = [&](char c) {
    if (n + 1 < cap) out[n] = c;
    ++n;
  };
  while (*f) {
    if (*f != '%') {
      put(*f++);
      continue;
    }
    ++f;
    bool left = false, zero = false;
    for (;; ++f) {
      if (*f == '-') left = true;
      else if (*f == '0') zero = true;
      else if (*f == '+' || *f == ' ' || *f == '#') continue;
      else break;
    }
    int width = 0, prec = -1;
    if (*f == '*') { width = va_arg(ap, int); ++f; }
    else while (*f >= '0' && *f <= '9') width = width * 10 + (*f++ - '0');
    if (*f == '.') {
      ++f;
      prec = 0;
      if (*f == '*') { prec = va_arg(ap, int); ++f; }
      else while (*f >= '0' && *f <= '9') prec = prec * 10 + (*f++ - '0');
    }
    int len = 0;  // 0 int, 1 long, 2 long long / size_t / intmax_t
    while (*f == 'h' || *f == 'l' || *f == 'z' || *f == 'j' || *f == 't') {
      if (*f == 'l') ++len;
      else if (*f != 'h') len = 2;
      ++f;
    }
    char conv = *f ? *f++ : 0;
    char buf[24];
    const char* body = buf;
    size_t blen = 0;
    bool neg = false;
    if (conv == 'd' || conv == 'i' || conv == 'u' || conv == 'x' || conv == 'X') {
      unsigned long long v;
      if (conv == 'd' || conv == 'i') {
        long long sv = len == 0 ? va_arg(ap, int) : len == 1 ? va_arg(ap, long) : va_arg(ap, long long);
        neg = sv < 0;
        v = neg ? 0ull - static_cast<unsigned long long>(sv) : static_cast<unsigned long long>(sv);
      } else {
        v = len == 0 ? va_arg(ap, unsigned) : len == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned long long);
      }
      const char* digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
      unsigned base = (conv == 'x' || conv == 'X') ? 16 : 10;
      char rev[24];
      size_t k = 0;
      while (v) {
        rev[k++] = digits[v % base];
        v /= base;
      }
      while (k < static_cast<size_t>(prec < 0 ? 1 : prec) && k < sizeof rev) rev[k++] = '0';
      while (k) buf[blen++] = rev[--k];
      if (prec >= 0) zero = false;
    } else if (conv == 'c') {
      buf[blen++] = static_cast<char>(va_arg(ap, int));
    } else if (conv == 's') {
      body = va_arg(ap, const char*);
      if (!body) body = "(null)";
      while (body[blen] && (prec < 0 || blen < static_cast<size_t>(prec))) ++blen;
    } else if (conv == '%') {
      buf[blen++] = '%';
    } else {
      continue;  // floating point, %p, %n: not needed by this module
    }
    size_t total = blen + (neg ? 1 : 0);
    size_t pad = width > 0 && static_cast<size_t>(width) > total ? width - total : 0;
    if (!left && !zero) for (; pad; --pad) put(' ');
    if (neg) put('-');
    if (!left && zero) for (; pad; --pad) put('0');
    for (size_t i = 0; i < blen; ++i) put(body[i]);
    for (; pad; --pad) put(' ');
  }
  if (cap) out[n < cap ? n : cap - 1] = 0;
  return static_cast<int>(n);
}

int snprintf(char* __restrict out, size_t cap, const char* __restrict f, ...) {
  va_list ap;
  va_start(ap, f);
  int r = vsnprintf(out, cap, f, ap);
  va_end(ap);
  return r;
}

double strtod(const char* __restrict s, char** __restrict end) {
  const char* p = s;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) ++p;
  bool neg = *p == '-';
  if (*p == '-' || *p == '+') ++p;
  unsigned long long mant = 0;
  int digits = 0, exp10 = 0;
  bool any = false;
  for (; *p >= '0' && *p <= '9'; ++p, any = true) {
    if (digits < 19) { mant = mant * 10 + unsigned(*p - '0'); if (mant) ++digits; }
    else ++exp10;
  }
  if (*p == '.') {
    for (++p; *p >= '0' && *p <= '9'; ++p, any = true) {
      if (digits < 19) { mant = mant * 10 + unsigned(*p - '0'); if (mant) ++digits; --exp10; }
    }
  }
  if (!any) {
    if (end) *end = const_cast<char*>(s);
    return 0;
  }
  if (*p == 'e' || *p == 'E') {
    const char* q = p + 1;
    bool eneg = *q == '-';
    if (*q == '-' || *q == '+') ++q;
    if (*q >= '0' && *q <= '9') {
      int e = 0;
      for (; *q >= '0' && *q <= '9'; ++q) if (e < 100000) e = e * 10 + (*q - '0');
      exp10 += eneg ? -e : e;
      p = q;
    }
  }
  if (end) *end = const_cast<char*>(p);
  static const double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double v = static_cast<double>(mant);
  if (mant == 0) return neg ? -0.0 : 0.0;
  // Exact when mant < 2^53 and |exp10| <= 22 (one correctly rounded operation).
  while (exp10 > 22 && v < 1e300) { v *= 1e22; exp10 -= 22; }
  while (exp10 < -22 && v > 1e-300) { v /= 1e22; exp10 += 22; }
  if (exp10 > 22) v = 1e308 * 10;  // overflow: inf
  else if (exp10 < -22) v = 0;
  else if (exp10 >= 0) v *= kPow10[exp10];
  else v /= kPow10[-exp10];
  return neg ? -v : v;
}

float strtof(const char* __restrict s, char** __restrict end) { return static_cast<float>(strtod(s, end)); }
long double strtold(const char* __restrict s, char** __restrict end) { return strtod(s, end); }

}  // extern "C"

extern "C" {

// ===========================================================================
// Body: parse, render, search, diff (wasm/policy/{body,render,search,diff}.h)
// ===========================================================================

/** Validates body JSON. Result: {"format":1,"title":…,"clauses":N,"hash":"<sha256 of the
 *  canonical body>"}. BadInput with what/where when the body is not format 1. */
__attribute__((used)) int32_t kel_parse_body(const char* b, uint32_t bn) {
  Body body;
  std::string canonical;
  Error e = parseBody(view(b, bn), &body, &canonical);
  if (!e.ok()) return fail(e);
  std::string out = "{\"format\":1,\"title\":";
  appendJsonString(&out, cleanText(body.title, false));
  out += ",\"clauses\":";
  long long clauses = 0;
  for (const TextUnit& u : textUnits(body, false)) clauses += u.num.empty() ? 0 : 1;
  appendInt(&out, clauses);
  out += ",\"hash\":\"";
  out += sha256_hex(canonical);
  out += "\"}";
  return finish(0, std::move(out));
}

/** Renders body JSON to safe HTML (renderHtml). flags: bit 0 = no contents <nav>, bit 1 = no
 *  title. BadArgument when idPrefix has characters other than A-Z a-z 0-9 _ -. */
__attribute__((used)) int32_t kel_render(const char* b, uint32_t bn, const char* lang, uint32_t ln,
                                         const char* prefix, uint32_t pn, int32_t flags) {
  std::string_view p = view(prefix, pn);
  if (!validPrefix(p))
    return finish(int32_t(ErrorCode::BadArgument), "render: idPrefix may only hold A-Z a-z 0-9 _ - (at most 64)");
  Error e;
  Cached* c = bodyFor(view(b, bn), &e);
  if (!c) return fail(e);
  RenderOptions o;
  o.lang = std::string(view(lang, ln));
  o.idPrefix = std::string(p);
  o.toc = !(flags & 1);
  o.title = !(flags & 2);
  return finish(0, renderHtml(c->body, o));
}

/** Searches body JSON: searchJson of SearchIndex::find(query, {limit}). */
__attribute__((used)) int32_t kel_search(const char* b, uint32_t bn, const char* q, uint32_t qn, int32_t limit) {
  Error e;
  Cached* c = bodyFor(view(b, bn), &e);
  if (!c) return fail(e);
  if (!c->index) c->index = std::make_unique<SearchIndex>(c->body);
  SearchOptions o;
  o.limit = limit;
  return finish(0, searchJson(c->index->find(view(q, qn), o)));
}

/** Diffs two body JSONs (old, new): diffJson(diffBodies(old, new)). */
__attribute__((used)) int32_t kel_diff(const char* a, uint32_t an, const char* b, uint32_t bn) {
  Error e;
  Cached* ca = bodyFor(view(a, an), &e);
  if (!ca) return finish(int32_t(e.code), "old " + e.message);
  Cached* cb = bodyFor(view(b, bn), &e);  // keeps `ca` alive: it moves to slot 1 at most
  if (!cb) return finish(int32_t(e.code), "new " + e.message);
  return finish(0, diffJson(diffBodies(ca->body, cb->body)));
}

/** Drops the parsed-body cache (memory back to the allocator). Always 0. */
__attribute__((used)) int32_t kel_forget() {
  gCache[0].reset();
  gCache[1].reset();
  return finish(0, std::string());
}

/** The version of a built policy in force at an instant: historyAt(index.json, at, format)
 *  with format "json" or "text". BadArgument for a bad instant, BadInput for a bad index. */
__attribute__((used)) int32_t kel_history(const char* i, uint32_t in, const char* a, uint32_t an, const char* f,
                                          uint32_t fn) {
  std::string out;
  Error e = historyAt(view(i, in), view(a, an), view(f, fn), &out);
  return e.ok() ? finish(0, std::move(out)) : fail(e);
}

// The viewer's module (kelisim-policy.wasm, CMakeLists.txt) is compiled without the authors'
// tools: then LTO drops import, lint, build and translate with their message texts (the data
// section, which wasm-opt cannot trim function by function), not only their code.
#ifndef KELISIM_POLICY_VIEWER
// ===========================================================================
// Sources: import, lint, hash, build (wasm/policy/{import,lint,build}.h)
// ===========================================================================

/** Imports policy source text: importJson -> {"body":…,"header":…,"problems":[…]}. */
__attribute__((used)) int32_t kel_import(const char* t, uint32_t tn) {
  std::string out;
  Error e = importJson(view(t, tn), &out);
  return e.ok() ? finish(0, std::move(out)) : fail(e);
}

/** Lints policy source text. format "json" -> findingsJson; "text" / "text-ru" ->
 *  compiler-style lines naming `file` (English / Russian messages). */
__attribute__((used)) int32_t kel_lint(const char* f, uint32_t fn, const char* t, uint32_t tn, const char* m,
                                       uint32_t mn) {
  std::string_view format = view(m, mn);
  if (format != "json" && format != "text" && format != "text-ru")
    return finish(int32_t(ErrorCode::BadArgument), "lint: format must be json, text or text-ru");
  std::vector<Finding> findings;
  Error e = lint(view(t, tn), &findings);
  if (!e.ok()) return fail(e);
  if (format == "json") return finish(0, findingsJson(findings));
  return finish(0, findingsText(view(f, fn), findings, format == "text" ? "en" : "ru"));
}

/** Lints several sources as `kelisim lint` does (each on its own, then the languages of one
 *  version as translations): lintSourcesJson, in [[file, byteLength], …] and the sources'
 *  bytes concatenated, out {"errors","out"}. */
__attribute__((used)) int32_t kel_lint_sources(const char* f, uint32_t fn, const char* t, uint32_t tn, const char* m,
                                               uint32_t mn) {
  std::string out;
  Error e = lintSourcesJson(view(f, fn), view(t, tn), view(m, mn), &out);
  return e.ok() ? finish(0, std::move(out)) : fail(e);
}

/** Canonical body hash (64 hex) of a source text. */
__attribute__((used)) int32_t kel_body_hash(const char* t, uint32_t tn) {
  std::string hex;
  Error e = bodyHash(view(t, tn), &hex);
  return e.ok() ? finish(0, std::move(hex)) : fail(e);
}

/** Builds one policy from its version sources: buildJson, in [[path, text], …] (paths
 *  "<id>/<version>.md"), out [[path, content], …] relative to <out>/<id>/. */
__attribute__((used)) int32_t kel_build(const char* f, uint32_t fn) {
  std::string out;
  Error e = buildJson(view(f, fn), &out);
  return e.ok() ? finish(0, std::move(out)) : fail(e);
}

#endif  // KELISIM_POLICY_VIEWER
}  // extern "C"
