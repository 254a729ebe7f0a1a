// Importer: policy source text (plain or Markdown-ish, as lawyers write it) -> body tree
// (docs/body-format.md) + header metadata. Pure: no I/O; any bytes in, never crashes.
//
// Source = optional header + text. The header is either front matter fenced by `---` lines
// or, unfenced, a block of `key: value` lines at the very top ended by a blank line; keys are
// ASCII ([A-Za-z][A-Za-z0-9_.-]*), `#` lines inside the header are comments.
// Text rules (the seeds' real quirks): numbers `1.`, `1.1`, `1.1.1.` at line start, after
// tabs/spaces, after a bullet (`- 1.1.1. …`), after `#`s, or bold (`**1.1.1.** …`, also in the
// middle of a line); a top-level number whose text is short and unpunctuated, or any `#` line,
// is a heading (clause title); `•`, `-`, `*`, `+` bullets form lists; inline `**strong**`,
// `*em*`, `[text](href)` (escapes like `\[` honoured), `<https://…>`, bare http(s) URLs and
// e-mail addresses become links.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

/** Something the importer had to guess about or repair; the linter reports these too. */
struct ImportProblem {
  int line = 0;          // 1-based source line
  int col = 0;           // 1-based column in code points
  std::string code;      // "invalid-utf8", "header-bad-line", "header-duplicate-key", "header-unclosed"
  std::string message;   // English
};

struct ImportResult {
  std::string bodyJson;    // canonical body JSON (nlohmann dump(), no indent)
  std::string headerJson;  // header `key: value` lines as a JSON object of strings (dump())
  std::vector<ImportProblem> problems;
  int headerLines = 0;     // number of source lines taken by the header (0 = no header)
  int clauseCount = 0;     // numbered clauses in the body
};

/** Imports `text`. Invalid UTF-8 is replaced by U+FFFD (and reported as a problem).
 *  Returns ErrorCode::BadInput only for input larger than kMaxSourceBytes; *out is filled. */
kelisim::Error importText(std::string_view text, ImportResult* out);

constexpr size_t kMaxSourceBytes = 8u << 20;

/** importText's result as one JSON object {"body":…,"header":…,"problems":[{line,col,code,
 *  message}]} (dump(), no indent): what kel_import returns. */
kelisim::Error importJson(std::string_view text, std::string* out);

// ---- The parsed source, with positions: what the linter and build work on. ----------------

struct SourceClause {
  std::string num;       // "4.1.5"
  int line = 0, col = 0; // position of the number's first digit (1-based, code points)
  int parent = -1;       // index of the parent clause, -1 = top level
  std::string title;     // plain text of a heading clause's title ("" = none)
  std::string text;      // plain text of the clause's own paragraphs and lists (no subclauses)
};

struct HeaderField {
  std::string key, value;
  int line = 0;
};

struct ParsedSource {
  std::string text;                  // the sanitized (valid UTF-8) source
  std::vector<std::string_view> lines;  // into `text`, without line ends; lines[0] = line 1
  std::vector<HeaderField> header;   // in source order, duplicates kept
  int headerLines = 0;               // body starts at line headerLines + 1
  std::vector<SourceClause> clauses; // in source order
  std::vector<int> lineClause;       // per line (0-based): index of the clause it belongs to, -1
  std::string bodyJson;              // canonical body JSON
  std::string title;                 // the body's title (first heading-like line)
  std::vector<ImportProblem> problems;
  /** Value of the LAST header field named key, or nullptr. */
  const std::string* field(std::string_view key) const;
};

/** Parses a source; same rules and errors as importText. */
kelisim::Error parseSource(std::string_view text, ParsedSource* out);

/** 1-based column (in code points) of byte offset `off` in `line`. */
int columnOf(std::string_view line, size_t off);

}  // namespace kelisim::policy
