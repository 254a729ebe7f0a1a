// Helpers shared by the libFuzzer targets: turning fuzz bytes into a policy body, and the
// invariants every policy output must keep (valid UTF-8, safe HTML, valid JSON). A broken
// invariant calls FUZZ_CHECK, which prints what and aborts, so libFuzzer saves the input.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/body.h"
#include "policy/import.h"

#define FUZZ_CHECK(cond, what)                                                           \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n  %s\n", __FILE__, __LINE__, \
                   #cond, std::string(what).c_str());                                    \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

namespace fuzz {

/** A body from fuzz bytes. The first byte picks the route: odd = the rest is policy source
 *  text, imported with importText (reaches render/search/diff with realistic trees); even =
 *  the rest is body JSON for parseBody (reaches them with any valid tree). An importer body
 *  must always parse. Returns false when the bytes give no body. */
inline bool bodyFrom(std::string_view data, kelisim::policy::Body* out) {
  using namespace kelisim::policy;
  if (data.empty()) return false;
  bool viaImport = (uint8_t(data[0]) & 1) != 0;
  data.remove_prefix(1);
  if (viaImport) {
    ImportResult r;
    if (!importText(data, &r).ok()) return false;
    kelisim::Error e = parseBody(r.bodyJson, out);
    FUZZ_CHECK(e.ok(), "importer output rejected by parseBody: " + e.message);
    return true;
  }
  return parseBody(data, out).ok();
}

/** True when s is valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
inline bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char d = s[i + k];
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

/** True when s is one complete JSON value. */
inline bool validJson(std::string_view s) {
  return !nlohmann::json::parse(s.begin(), s.end(), nullptr, false).is_discarded();
}

/** Checks HTML from render/search/diff: only the tags and attributes the renderer writes,
 *  hrefs only http:, https:, mailto: or #anchors, no bidi override or NUL characters, and
 *  every '<' starts a known tag (so no text ever becomes markup). Returns "" when safe, else
 *  what is wrong. */
inline std::string htmlProblem(std::string_view h) {
  static const char* kTags[] = {"h2", "h3", "h4", "h5", "h6", "nav", "ol", "li", "a", "section", "div",
                                "p", "ul", "em", "strong", "mark", "ins", "del", "span", "br"};
  static const char* kAttrs[] = {"class", "id", "href", "target", "rel", "aria-label", "lang", "dir"};
  if (!validUtf8(h)) return "invalid UTF-8";
  for (std::string_view bad : {"\xE2\x80\xAA", "\xE2\x80\xAB", "\xE2\x80\xAC", "\xE2\x80\xAD", "\xE2\x80\xAE",
                               "\xE2\x81\xA6", "\xE2\x81\xA7", "\xE2\x81\xA8", "\xE2\x81\xA9"})
    if (h.find(bad) != std::string_view::npos) return "bidi control in output";
  if (h.find('\0') != std::string_view::npos) return "NUL in output";
  size_t i = 0;
  while ((i = h.find('<', i)) != std::string_view::npos) {
    size_t end = h.find('>', i);
    if (end == std::string_view::npos) return "unclosed tag at " + std::to_string(i);
    std::string_view tag = h.substr(i + 1, end - i - 1);
    if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
    size_t nameEnd = tag.find(' ');
    std::string_view name = tag.substr(0, nameEnd);
    bool known = false;
    for (const char* t : kTags) known = known || name == t;
    if (!known) return "unexpected tag <" + std::string(name) + ">";
    // Attributes: name="value" pairs; values never contain '"' (escaped as &quot;).
    size_t p = nameEnd == std::string_view::npos ? tag.size() : nameEnd;
    while (p < tag.size()) {
      if (tag[p] == ' ') { ++p; continue; }
      size_t eq = tag.find('=', p);
      if (eq == std::string_view::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"')
        return "malformed attribute in <" + std::string(tag) + ">";
      std::string_view attr = tag.substr(p, eq - p);
      bool ok = false;
      for (const char* a : kAttrs) ok = ok || attr == a;
      if (!ok) return "unexpected attribute " + std::string(attr);
      size_t close = tag.find('"', eq + 2);
      if (close == std::string_view::npos) return "unterminated attribute value";
      std::string_view value = tag.substr(eq + 2, close - eq - 2);
      if (value.find('<') != std::string_view::npos) return "'<' inside an attribute";
      if (attr == "href") {
        // The renderer's rule (issue 3, render.cpp safeHref): the scheme is http:, https: or
        // mailto:, whatever follows it ("https:/./host" is still https), or a #fragment.
        std::string lower;
        for (char c : value.substr(0, 8)) lower += char(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (!(lower.rfind("http:", 0) == 0 || lower.rfind("https:", 0) == 0 || lower.rfind("mailto:", 0) == 0 ||
              (!value.empty() && value[0] == '#')))
          return "unsafe href " + std::string(value);
      }
      p = close + 1;
    }
    i = end + 1;
  }
  return "";
}

}  // namespace fuzz
