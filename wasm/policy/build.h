// Build: policy sources -> versioned output for the site. Pure: file contents in, output
// files (path, content) out; the CLIs do the I/O.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

using FileList = std::vector<std::pair<std::string, std::string>>;  // (path, content)

/** Builds ONE policy from all its version sources ((filename e.g. "2.md", text) pairs, any
 *  order; versions are ordered by the header's `version`, compared as dotted numbers).
 *  Writes, relative to the policy's output folder: "index.json",
 *  "<version>/manifest.json", "<version>/body.json" (canonical body; bodyHash = sha256_hex of
 *  it). Errors (ErrorCode::BadInput) name the file and the header field that is wrong. */
kelisim::Error buildPolicy(const FileList& versionSources, FileList* outFiles);

/** Canonical body hash of a source text: sha256_hex(importText(text).bodyJson). */
kelisim::Error bodyHash(std::string_view sourceText, std::string* hexOut);

}  // namespace kelisim::policy
