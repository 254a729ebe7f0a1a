// Fuzz target: the translation lint (two sources compared clause by clause: alignment, facts,
// references, controllers, jurisdictions). Input: the reference source, '\x01', the
// translation (no separator: split in the middle). Invariants: never a crash; every finding
// is in the translation's file with a position inside it and messages in valid UTF-8; the
// JSON form is valid JSON; clauseReferences and datesIn report offsets inside their text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "policy/text.h"
#include "policy/translate.h"

using namespace kelisim;
using namespace kelisim::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t cut = in.find('\x01');
  std::string a(in.substr(0, cut == std::string_view::npos ? size / 2 : cut));
  std::string b(in.substr(cut == std::string_view::npos ? size / 2 : cut + 1));
  std::vector<Finding> f;
  Error e = lintTranslations({{"a.ru.md", a}, {"a.kk.md", b}}, &f);
  FUZZ_CHECK(e.ok(), "lintTranslations failed: " + e.message);
  size_t lines = 1;
  for (char c : b) lines += c == '\n';
  for (const Finding& x : f) {
    FUZZ_CHECK(x.file == "a.kk.md", "finding in " + x.file);
    FUZZ_CHECK(x.severity == "error" || x.severity == "warning", "severity " + x.severity);
    FUZZ_CHECK(x.line >= 1 && size_t(x.line) <= lines + 1 && x.col >= 1, "finding outside the text: " + x.code);
    FUZZ_CHECK(fuzz::validUtf8(x.messageEn) && fuzz::validUtf8(x.messageRu) && fuzz::validUtf8(x.clause),
               "invalid UTF-8 in finding " + x.code);
  }
  FUZZ_CHECK(fuzz::validJson(findingsJson(f)), "findingsJson is not valid JSON");
  std::string folded = foldCase(sanitizeUtf8(a));
  for (auto& r : clauseReferences(folded)) FUZZ_CHECK(r.second < folded.size() && !r.first.empty(), "reference offset");
  for (auto& d : datesIn(folded)) FUZZ_CHECK(d.second < folded.size() && d.first.size() == 10, "date " + d.first);
  return 0;
}
