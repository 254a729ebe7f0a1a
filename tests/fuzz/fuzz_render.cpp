// Fuzz target: safe HTML rendering (renderHtml, safeHref), over bodies from body JSON or from
// imported policy text (fuzz::bodyFrom). The second byte picks options (contents, title,
// language, id prefix). Invariant: the HTML holds only the renderer's own tags and attributes,
// hrefs only http:, https:, mailto: or #anchors, no bidi controls or NUL, valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "policy/render.h"

using namespace kelisim;
using namespace kelisim::policy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t opt = data[1];
  std::string in;
  in.push_back(char(data[0]));
  in.append(reinterpret_cast<const char*>(data) + 2, size - 2);
  Body b;
  if (!fuzz::bodyFrom(in, &b)) return 0;
  RenderOptions o;
  static const char* langs[] = {"ru", "kk", "en", "\"><script>"};
  o.lang = langs[(opt >> 2) & 3];
  o.toc = !(opt & 1);
  o.title = !(opt & 2);
  o.idPrefix = (opt & 16) ? "kel-" : (opt & 32) ? "a\"b<c> d" : "";
  std::string html = renderHtml(b, o);
  std::string why = fuzz::htmlProblem(html);
  FUZZ_CHECK(why.empty(), why + "\n" + html);
  return 0;
}
