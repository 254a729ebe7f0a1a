// Safe HTML rendering of a policy body for the viewer. The output is meant for innerHTML
// under a strict CSP (no inline styles, no inline event attributes, no scripts, no URLs
// other than http:, https:, mailto: and in-document clause anchors).
#pragma once
#include <string>
#include <string_view>

#include "policy/body.h"

namespace kelisim::policy {

struct RenderOptions {
  /** Language of the surrounding UI: labels the contents ("ru" Содержание, "kk" Мазмұны,
   *  anything else "Contents"). */
  std::string lang = "ru";
  /** Prepended to every id and in-document href ("kel-" -> id="kel-p-4.1.5"), for pages that
   *  show more than one policy. Only A-Z a-z 0-9 _ - are kept. */
  std::string idPrefix;
  /** Write the <nav> table of contents. */
  bool toc = true;
  /** Write the body title as <h2>. */
  bool title = true;
};

/** Renders `b` as an HTML fragment:
 *    <h2 class="kelisim-title">…</h2>                               (opts.title, when non-empty)
 *    <nav class="kelisim-toc" aria-label="…"><ol><li><a href="#p-1">1. Title</a><ol>…</ol></li></ol></nav>
 *    <section class="kelisim-clause" id="p-1"><h3><a class="kelisim-num" href="#p-1">1.</a> Title</h3>…</section>
 *    <div class="kelisim-clause" id="p-1.1"><p><a class="kelisim-num" href="#p-1.1">1.1.</a> text</p>…</div>
 *  Clauses with a title become <section> with a heading (h3 at top level, one level deeper per
 *  nesting, at most h6); clauses without one become <div> whose first paragraph carries the
 *  number. The contents list every top-level clause (titled ones by title, others by their
 *  first words) and every titled clause below them.
 *  Text is escaped (& < > " ') and cleaned (appendClean: invalid UTF-8 -> U+FFFD, controls
 *  and bidi overrides dropped). Links: see safeHref; an unsafe link renders as its text only;
 *  a link inside a link renders as text. http(s) links open in a new tab:
 *  target="_blank" rel="noopener noreferrer" (the viewer is a dialog over the site's page;
 *  noopener/noreferrer stop reverse tabnabbing and referrer leaks); mailto: and clause links
 *  get neither. Deterministic: the same bytes natively and in wasm. */
std::string renderHtml(const Body& b, const RenderOptions& opts);

/** Decides a link. Returns the href to write (unescaped), or "" when the link must render as
 *  text only. Per the WHATWG URL parser, ASCII tab/newline anywhere are removed and C0
 *  controls/space at either end are trimmed before the scheme is read; the scheme must then
 *  be exactly http, https or mailto (any case). "#p-<dotted number>" is kept as an
 *  in-document clause link (with idPrefix). Everything else (javascript:, data:, vbscript:,
 *  relative URLs, entity-encoded or otherwise obfuscated schemes) is refused. */
std::string safeHref(std::string_view href, std::string_view idPrefix);

/** Appends `s` cleaned (appendClean without collapsing) and escaped for HTML text and
 *  double- or single-quoted attribute values: & < > " ' become entities. */
void appendEscaped(std::string* out, std::string_view s);

}  // namespace kelisim::policy
