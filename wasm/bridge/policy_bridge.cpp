// kel_* bridge of the policy module (kelisim-policy.wasm): loaded lazily by the viewer, the
// "what changed" notice and the Node CLI; never on the banner path. Called from
// web/src/engine/policy.js (and web/src/cli/kelisim.js). See wasm/bridge/common.h for the
// calling convention: strings in as (ptr, len), int32 status out (0 ok, else an ErrorCode),
// the text result (or the error message) in the result slot.
#include <memory>
#include <utility>

#include "bridge/common.h"
#include "core/sha256.h"
#include "policy/body.h"
#include "policy/build.h"
#include "policy/diff.h"
#include "policy/import.h"
#include "policy/lint.h"
#include "policy/render.h"
#include "policy/search.h"

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

}  // extern "C"
