// Translations: one policy version in several languages (`<version>.ru.md`, `<version>.kk.md`,
// `<version>.en.md`), checked as translations of each other. Pure: no I/O.
//
// The languages of a version must share one clause tree (the same clause numbers in the same
// order); the translation lint reports where they do not, and where the text of one clause
// states different facts in different languages: clause references (`п. 5.2`, `5.2-тармақ`,
// `5-бөлім`, `clause 5.2`), e-mail addresses, URLs, phone numbers, dates, amounts and legal
// citations (law numbers, article numbers), and a different controller or jurisdiction.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/consent.h"
#include "policy/lint.h"

namespace kelisim::policy {

/** The language of a source file named `<version>.<lang>.md` / `.txt` (`ru`, `kk` or `en`),
 *  or "" when the name has no language part (the single-file form `<version>.md`). */
std::string fileLang(std::string_view fileName);

/** Lints `files` ((file name, source text), at least two, the first is the reference the
 *  others are compared with) as translations of each other. Each finding names the file it is
 *  in (Finding::file) and where; findings are sorted by file order, then line and column.
 *  Returns ErrorCode::BadInput when a source cannot be imported (message names the file),
 *  ErrorCode::BadArgument for fewer than two files. */
kelisim::Error lintTranslations(const std::vector<std::pair<std::string, std::string>>& files, std::vector<Finding>* out);

/** What `kelisim lint <file>…` prints, for both CLIs: every file linted on its own (as
 *  lintFormatted: text lines, or one JSON array per file and line), then, for each group of
 *  two or more files that are languages of one version (same folder, names `<v>.md` /
 *  `<v>.<lang>.md`), the translation lint of the group (text lines, or one more JSON array
 *  whose findings carry "file"). In a group the reference is the source whose header has
 *  publishedAt, then ru, kk, en. *errors = any error-level finding. Errors: as lintFormatted;
 *  BadInput naming the file when a source cannot be imported. */
kelisim::Error lintSources(const std::vector<std::pair<std::string, std::string>>& files, std::string_view format,
                           std::string* out, bool* errors);

/** lintSources for the bridge: `filesJson` = `[[file, byteLength], …]`, `texts` = the sources'
 *  bytes one after another (raw, so invalid UTF-8 reaches the linter as in the native CLI);
 *  out {"errors": bool, "out": string}. What kel_lint_sources returns. BadInput when the
 *  lengths do not add up to the bytes given. */
kelisim::Error lintSourcesJson(std::string_view filesJson, std::string_view texts, std::string_view format, std::string* out);

/** Clause numbers a text refers to (folded text, as foldCase makes it): `п. 5.2`, `пункт 5.2`,
 *  `пп. 5.2 и 5.3`, `раздел 5`, `clause 5.2`, `section 5`, `тармақ 5.2` (marker first) and the
 *  Kazakh forms `5.2-тармақ`, `5.2-тармағына`, `5.2 тармағы`, `5-бөлім`, `2.1-т.` (number
 *  first). References into another document (`п. 1 ст. 5 Закона`, `Заңның 8-бабының
 *  4-тармағы`) are left out. Each entry: (number, byte offset of its first digit). `forms`
 *  picks the marker-first forms, the number-first (Kazakh) forms or both. */
constexpr int kMarkerFirst = 1, kNumberFirst = 2;
std::vector<std::pair<std::string, size_t>> clauseReferences(std::string_view folded, int forms = kMarkerFirst | kNumberFirst);

/** Dates a (folded) text states, as "YYYY-MM-DD" with the byte offset of each: `04.08.2022`,
 *  `2022-08-04`, `4 августа 2022`, `2022 жылғы 4 тамыз`, `August 4, 2022`. */
std::vector<std::pair<std::string, size_t>> datesIn(std::string_view folded);

}  // namespace kelisim::policy
