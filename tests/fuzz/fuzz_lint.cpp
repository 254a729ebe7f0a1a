// Fuzz target: the linter (which runs the importer's source parser and every check).
// Invariants: never a crash; findings carry a known severity, a code, positions inside the
// text and messages in valid UTF-8; they come sorted by (line, col); the JSON form is
// valid JSON and the text form has one line per finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "policy/lint.h"

using namespace kelisim;
using namespace kelisim::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Finding> f;
  Error e = lint(text, &f);
  FUZZ_CHECK(e.ok(), "lint failed on small input: " + e.message);
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (size_t i = 0; i < f.size(); ++i) {
    const Finding& x = f[i];
    FUZZ_CHECK(x.severity == "error" || x.severity == "warning" || x.severity == "info", "severity " + x.severity);
    FUZZ_CHECK(!x.code.empty() && !x.messageEn.empty() && !x.messageRu.empty(), "finding without code/message");
    // Whole-document findings point at the line after the header, which may be one past the
    // last line of a header-only text.
    FUZZ_CHECK(x.line >= 0 && size_t(x.line) <= lines + 1 && x.col >= 0, "finding outside the text: " + x.code);
    FUZZ_CHECK(fuzz::validUtf8(x.messageEn) && fuzz::validUtf8(x.messageRu) && fuzz::validUtf8(x.clause),
               "invalid UTF-8 in finding " + x.code);
    if (i) {
      const Finding& p = f[i - 1];
      // lint.cpp orders by (line, col, order found); lint.h still says (line, col, code).
      bool sorted = p.line < x.line || (p.line == x.line && p.col <= x.col);
      FUZZ_CHECK(sorted, "findings not sorted at " + std::to_string(i));
    }
  }
  FUZZ_CHECK(fuzz::validJson(findingsJson(f)), "findingsJson is not valid JSON");
  std::string t = findingsText("p.md", f, "ru");
  size_t nl = 0;
  for (char c : t) nl += c == '\n';
  FUZZ_CHECK(nl == f.size(), "findingsText: " + std::to_string(nl) + " lines for " + std::to_string(f.size()));
  FUZZ_CHECK(fuzz::validUtf8(t), "findingsText is not valid UTF-8");
  return 0;
}
