// History of one policy: which version was in force at a given instant (from the built
// index.json), and the Atom feed of its versions (RFC 4287) the build writes. Pure: no I/O.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/consent.h"

namespace kelisim::policy {

/** The version of a built policy in force at `at` (ISO 8601 with an offset), from its
 *  index.json (policies/README.md). A version is in force from its effectiveAt (publishedAt
 *  when the header gives none) until the next version's. A version whose date is unknown
 *  (null) is taken to follow the version before it: at an instant before the next dated
 *  version it is reported with "certain": false (it may not have been published yet).
 *  "pending" is the latest version published at `at` but not yet in force (effectiveAt later).
 *  format "json": {"version","publishedAt","effectiveAt","certain","pending","id","at"}
 *  ("version": null when no version was in force); "text": one or two lines for people.
 *  Sets *found to whether a version was in force. Errors: BadArgument when `at` is not an ISO
 *  instant with an offset or format is unknown; BadInput naming the field when index.json
 *  is not a built index. */
kelisim::Error historyAt(std::string_view indexJson, std::string_view at, std::string_view format, std::string* out,
                         bool* found = nullptr);

/** One version in the feed. */
struct FeedEntry {
  std::string version;
  std::string publishedAt;  // ISO 8601 with offset; "" = unknown (the entry is left out)
  std::string summary;      // change summary, plain text
  std::string bodyHref;     // e.g. "2/body.json" (relative to the feed)
  std::string diffHref;     // e.g. "2/diff.json"; "" for a first version
  std::string previous;     // previous version, "" for a first version
};
struct FeedInfo {
  std::string id, title, lang, controller, policyUrl;
};

/** Atom 1.0 feed (RFC 4287) of a policy's versions, newest first: feed id
 *  "urn:kelisim:policy:<id>", entry ids "urn:kelisim:policy:<id>:<version>", updated =
 *  publishedAt (with seconds, as RFC 3339 requires), a summary, links to the version's body
 *  (rel alternate) and to the diff against the previous version (rel related). Versions
 *  without a date are left out (Atom requires an updated instant; kelisim does not invent
 *  one); returns "" when no version has a date. */
std::string atomFeed(const FeedInfo& info, const std::vector<FeedEntry>& entries);

}  // namespace kelisim::policy
