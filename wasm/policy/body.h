// Policy body: the clause tree of docs/body-format.md (format 1) as C++ values, its parser
// and the text helpers render, search and diff share. Pure: no I/O.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/consent.h"

namespace kelisim::policy {

/** Hard caps on nesting, so no walk over a body needs a stack check (wasm has none).
 *  The format nests clauses at most 8 deep; 32 leaves room for headings/lists around them. */
constexpr int kMaxNodeDepth = 32;
constexpr int kMaxInlineDepth = 16;
/** Largest body JSON parseBody accepts (the importer's own limit is 8 MB of source). */
constexpr size_t kMaxBodyBytes = 16u << 20;

/** One inline run: plain text, emphasis, strong emphasis or a link. */
struct Inline {
  enum class Kind : uint8_t { Text, Em, Strong, Link };
  Kind kind = Kind::Text;
  std::string text;           // Text: the text; Link: the href exactly as written
  std::vector<Inline> kids;   // Em, Strong, Link: the content
};
using Inlines = std::vector<Inline>;

/** One block node: a numbered clause, an unnumbered heading, a paragraph or a bullet list. */
struct Node {
  enum class Kind : uint8_t { Clause, Heading, Para, List };
  Kind kind = Kind::Para;
  int line = 0;                   // 1-based source line (0 = unknown)
  std::string num;                // Clause: "4.1.5" (dotted decimal, no trailing dot)
  bool hasTitle = false;          // Clause: the number's own line was a heading
  Inlines inl;                    // Clause: title; Heading, Para: content
  std::vector<Inlines> items;     // List: one entry per bullet
  std::vector<Node> children;     // Clause: nested nodes
};

struct Body {
  int format = 1;
  std::string title;
  std::vector<Node> children;
};

/** Parses and validates body JSON. On success fills *out (and, when `canonical` is not null,
 *  the canonical serialisation whose SHA-256 is the body hash: nlohmann dump(), no indent).
 *  Invalid UTF-8 in the input is replaced by U+FFFD before parsing. On error returns
 *  ErrorCode::BadInput with a message naming what was wrong and where, e.g.
 *  `body: children[3].children[0] (clause 4.1): "num" must be a dotted number like "4.1.5"`
 *  or `body: invalid JSON at byte 120: ...`; *out is then left empty. */
kelisim::Error parseBody(std::string_view json, Body* out, std::string* canonical = nullptr);

/** Parses any JSON text with nlohmann's non-throwing parser into *out. Numbers with a
 *  fraction or exponent are refused (kelisim's JSON holds integers only). On a syntax error
 *  returns false and sets *error to e.g. "parse error at line 1, column 5: syntax error while
 *  parsing object key - …". One shared parser instantiation keeps the wasm module small: use
 *  this rather than json::parse in policy code. */
bool parseJson(std::string_view text, nlohmann::json* out, std::string* error);

/** appendClean, and with escapeHtml also & < > " ' written as &amp; &lt; &gt; &quot; &#39;. */
void appendText(std::string* out, std::string_view s, bool collapseSpaces, bool escapeHtml);

/** Plain text of inlines (markup dropped), cleaned like cleanText, spaces collapsed. */
std::string plainText(const Inlines& in);

/** Appends `s` with: invalid UTF-8 -> U+FFFD; NUL and other C0 controls except tab/newline,
 *  DEL and C1 controls dropped; bidi embedding/override/isolate controls (U+202A-U+202E,
 *  U+2066-U+2069) dropped. With collapseSpaces, every run of white space (ASCII and Unicode
 *  spaces, newlines) becomes one ' ' and leading/trailing space is not written. */
inline void appendClean(std::string* out, std::string_view s, bool collapseSpaces) {
  appendText(out, s, collapseSpaces, false);
}
inline std::string cleanText(std::string_view s, bool collapseSpaces) {
  std::string out;
  appendClean(&out, s, collapseSpaces);
  return out;
}

/** The text of a body in reading order, one unit per clause (its title and its own blocks,
 *  not its sub-clauses) plus, with `unnumbered`, one unit per run of top-level blocks outside
 *  any clause (num ""). Text is cleaned and space-collapsed; blocks are joined by " ". */
struct TextUnit {
  std::string num;   // clause number, "" for text outside clauses
  std::string text;
  int line = 0;
  int depth = 0;     // clause nesting depth (0 = top level)
};
std::vector<TextUnit> textUnits(const Body& b, bool unnumbered);

/** Appends `s` as a JSON string literal (quotes included). `s` must be valid UTF-8 (pass it
 *  through appendClean first); control characters are written as \u00XX. */
void appendJsonString(std::string* out, std::string_view s);
/** Appends a decimal integer (no locale, no printf). */
void appendInt(std::string* out, long long v);

}  // namespace kelisim::policy
