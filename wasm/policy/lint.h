// Linter: finds the mistakes lawyers make in numbered policies. Each finding carries a
// severity, a stable code, the clause number, line:col in the source and messages in
// English and Russian. Pure: no I/O.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

struct Finding {
  std::string severity;   // "error" | "warning" | "info"
  std::string code;       // e.g. "numbering-gap", "broken-reference", "mixed-jurisdiction"
  std::string clause;     // clause number the finding is in ("" = header / whole document)
  int line = 0, col = 0;  // 1-based; col counts code points
  std::string messageEn, messageRu;
  std::string file;       // translation lint: the file the finding is in ("" = the linted file)
};

/** Lints the source text (header + body, as importText reads it). Findings are sorted by
 *  (line, col, code). Returns ErrorCode::Ok unless the input cannot be imported at all. */
kelisim::Error lint(std::string_view sourceText, std::vector<Finding>* out);

/** JSON array of findings: [{"severity","code","clause","line","col","message":{"en","ru"}}]
 *  (plus "file" when Finding::file is set),
 *  dump() without indent. Byte-identical natively and in wasm. */
std::string findingsJson(const std::vector<Finding>& findings);

/** Compiler-style text, one finding per line:
 *  "file:line:col: warning[code]: English message (п. 4.1)\n". lang "ru" prints messageRu.
 *  A finding with Finding::file set names that file instead of `file`. */
std::string findingsText(std::string_view file, const std::vector<Finding>& findings,
                         std::string_view lang = "en");

/** True when any finding has severity "error". */
bool hasErrors(const std::vector<Finding>& findings);

}  // namespace kelisim::policy
