// Build: policy sources -> versioned output for the site. Pure: file contents in, output
// files (path, content) out; the CLIs do the I/O. Output layout (docs: policies/README.md),
// relative to the policy's output folder `<out>/<id>/`:
//   index.json              {id, title, current, versions:[{version, publishedAt, bodyHash, ...}]}
//   manifest.json           the current version's manifest (what data-policy= points at;
//                           "body": "<version>/body.json", "texts": "<version>/texts.json")
//   <version>/manifest.json that version's manifest ("body": "body.json", "texts": "texts.json")
//   <version>/texts.json    that version's visitor texts: policy title, category titles and
//                           descriptions (ru/kk/en), read by the preferences dialog, the viewer
//                           and receipts, never by the first layer
//   <version>/body.json     canonical body (bodyHash = sha256_hex of exactly these bytes)
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

using FileList = std::vector<std::pair<std::string, std::string>>;  // (path, content)

/** Builds ONE policy from all its version sources ((file name e.g. "smartaqkol/2.md", text)
 *  pairs, any order; versions are ordered by the header's `version`, compared as dotted
 *  numbers). On success *outFiles holds the files listed above (index.json pretty-printed
 *  with 2 spaces; manifest.json and texts.json, which pages fetch, without indentation;
 *  body.json canonical), in a fixed order. `catalogueText`: the services catalogue
 *  (services/catalogue.json), where `category.<id>.services` ids are looked up. Errors
 *  (ErrorCode::BadInput) name the file and the header field that is wrong. */
kelisim::Error buildPolicy(const FileList& versionSources, FileList* outFiles, std::string_view catalogueText = {});

/** Canonical body hash of a source text: sha256_hex(importText(text).bodyJson). */
kelisim::Error bodyHash(std::string_view sourceText, std::string* hexOut);

/** buildPolicy over JSON: in `[[path, text], …]` (or `{"files": that, "services": catalogue
 *  text}`), out `[[path, content], …]` (dump()).
 *  What kel_build returns. */
kelisim::Error buildJson(std::string_view filesJson, std::string* out);

/** Lint + format in one call (what kel_lint returns): format "json" -> findingsJson,
 *  "text" -> findingsText(file, …, "en"), "text-ru" -> findingsText(file, …, "ru"). */
kelisim::Error lintFormatted(std::string_view file, std::string_view text, std::string_view format,
                             std::string* out);

/** Compares dotted versions ("1.10" > "1.9"; numeric parts numerically, others bytewise):
 *  <0, 0, >0. */
int compareVersions(std::string_view a, std::string_view b);

}  // namespace kelisim::policy
