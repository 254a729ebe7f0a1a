// Importer: policy source text (plain or Markdown-ish, as lawyers write it) -> body tree
// (docs/body-format.md) + header metadata. Pure: no I/O; any bytes in, never crashes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

/** Something the importer had to guess about; the linter reports these too. */
struct ImportProblem {
  int line = 0;          // 1-based source line
  int col = 0;           // 1-based column in code points
  std::string code;      // e.g. "invalid-utf8", "header-bad-line"
  std::string message;   // English
};

struct ImportResult {
  std::string bodyJson;    // canonical body JSON (nlohmann dump(), no indent)
  std::string headerJson;  // header `key: value` lines as a JSON object of strings (dump())
  std::vector<ImportProblem> problems;
  int headerLines = 0;     // number of source lines consumed by the header (0 = no header)
  int clauseCount = 0;     // numbered clauses in the body
};

/** Imports `text`. The optional header is a block of `key: value` lines at the very top,
 *  optionally fenced by `---` lines, ended by a blank line or `---`. Invalid UTF-8 is
 *  replaced by U+FFFD (and reported as a problem). Returns ErrorCode::Ok in all but
 *  pathological cases (ErrorCode::BadInput for input larger than 8 MB); *out is filled. */
kelisim::Error importText(std::string_view text, ImportResult* out);

}  // namespace kelisim::policy
