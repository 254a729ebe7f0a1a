// The CLI's consent commands (consent-cookie, decode-cookie) over wasm/core's consent engine.
// web/src/cli/kelisim.js has the same commands over kelisim-consent.wasm and prints the same bytes.
#pragma once
#include <string>
#include <vector>

namespace kelisim {
namespace cli {

struct ConsentCookieArgs {
  std::string manifestPath;         // --manifest: a policy version's manifest.json
  bool all = false, none = false;   // --all (accept-all) / --none (reject-all)
  std::vector<std::string> accept;  // --accept / --reject: a `set` with these switches
  std::vector<std::string> reject;
  std::string at;                   // --at: ISO 8601 with an offset; "" = now
  std::string id;                   // --id: the record id; "" = 12 random characters
};

/** Prints the record value the banner stores after that choice. Returns the exit code: 0, or 2
 *  with a message on stderr naming the bad option, file or category. */
int consentCookie(const ConsentCookieArgs& a);

/** Prints the record `value` holds as one JSON line (the field names of kelisim/core's
 *  decodeRecord). Returns 0, or 1 with the reason (e.g. record-checksum) on stderr. */
int decodeCookie(const std::string& value);

}  // namespace cli
}  // namespace kelisim
