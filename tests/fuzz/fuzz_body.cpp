// Fuzz target: the body parser (body JSON -> Body), as kel_parse_body runs it.
// Invariants: never a crash (deep nesting is refused, not recursed into); an accepted body's
// canonical form is valid UTF-8 JSON that parses again to the same canonical bytes; a
// refused body gets a BadInput error with a message and leaves *out empty; the text walk
// (textUnits) and plainText work on anything accepted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "policy/body.h"

using namespace kelisim;
using namespace kelisim::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  Body b;
  std::string canonical;
  Error e = parseBody(json, &b, &canonical);
  if (!e.ok()) {
    FUZZ_CHECK(e.code == ErrorCode::BadInput && !e.message.empty(), "refusal without BadInput/message");
    FUZZ_CHECK(b.children.empty() && b.title.empty(), "refused body left content behind");
    FUZZ_CHECK(fuzz::validUtf8(e.message), "error message is not valid UTF-8");
    return 0;
  }
  FUZZ_CHECK(fuzz::validUtf8(canonical) && fuzz::validJson(canonical), "canonical body is not valid UTF-8 JSON");
  Body again;
  std::string canonical2;
  Error e2 = parseBody(canonical, &again, &canonical2);
  FUZZ_CHECK(e2.ok(), "canonical body refused: " + e2.message);
  FUZZ_CHECK(canonical2 == canonical, "canonical form is not stable");
  for (const TextUnit& u : textUnits(b, true)) FUZZ_CHECK(fuzz::validUtf8(u.text), "text unit not UTF-8");
  return 0;
}
