// From a POST /v1/events body to checked, normalized rows (docs/ledger.md §1–3). Every check
// on a consent record, a history entry or a hash is the core's (wasm/core): decodeRecord,
// entryHash, fromName, parseInstant, valid*; nothing here re-implements them.
//
// Normalized body JSON (stored in events.body, non-personal, keys in this fixed order):
//   change:  {"type":"change","v":2,"id","policy":{"id","version","bodyHash"},"controller",
//             "language","display","event":{"op","at","atMs","version","method",
//             "choices":{…in the order sent…},["services":{…} only when sent,]"prevHash","hash"},"flags":[…]}
//   display: {"type":"display","v":2,"id","policy":{…},"language","display":{"kind","reason",
//             "layout","at","atMs","deadline","categories":[…],"strings":{…sorted…}},
//             "contentHash","flags":[…]}
// flags: "unknown-policy" (id/version not in --policies), "unknown-hash" (bodyHash differs).
// Personal JSON (events.personal): {"recordId","record","ip","salt"}: record null for displays,
// ip null unless --keep-ip truncated (then a /24 or /48 network), salt 16 random bytes hex.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace kelisim {
namespace server {

class Policies;

struct IngestOptions {
  size_t maxBodyBytes = 256 * 1024;
  int maxDepth = 16;
  size_t maxBatch = 100;
  bool keepIp = false;             // --keep-ip truncated
  size_t maxString = 4096;         // each display string, bytes
  size_t maxCategories = 32;       // a display's categories
};

/** Why a body was refused. httpStatus 400 (bad event / JSON) or 413 (too large). index is the
 *  event's position in the batch (0 for a single event), -1 when the body as a whole is bad. */
struct IngestError {
  int httpStatus = 400;
  std::string code;                // "" = ok; e.g. "bad-json", "too-deep", "bad-record", …
  std::string message;
  int index = -1;
  bool ok() const { return code.empty(); }
};

/** One checked event, ready to append. */
struct CheckedEvent {
  std::string eventId;
  std::vector<std::string> flags;
  NewRow row;
};

/** Parses and checks body. clientIp: the peer address (kept truncated only with keepIp).
 *  policies may be null (every policy unknown). On success *out holds one CheckedEvent per
 *  event, in order; on error *out is empty and nothing must be stored. */
IngestError parseEvents(std::string_view body, const IngestOptions& opt, const Policies* policies,
                        const std::string& clientIp, std::vector<CheckedEvent>* out);

/** contentHash of a display: hex SHA-256 of the canonical JSON (keys sorted, no spaces,
 *  nlohmann dump of a sorted object, UTF-8 as sent) of {categories, kind, language, layout,
 *  strings}. */
std::string displayContentHash(const std::string& kind, const std::string& layout, const std::string& language,
                               const std::vector<std::string>& categories,
                               const std::vector<std::pair<std::string, std::string>>& strings);

/** The IP as stored with --keep-ip truncated: IPv4 → "a.b.c.0/24", IPv6 → first 48 bits "/48".
 *  "" when ip is not an address. */
std::string truncateIp(const std::string& ip);

}  // namespace server
}  // namespace kelisim
