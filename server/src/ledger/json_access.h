// Checked reads of stored JSON. The server builds with JSON_NOEXCEPTION (kelisim_core's public
// definition), where nlohmann's throwing accessors (at(), get<T>() of a wrong type, const
// operator[] of a missing key) abort; these return a default instead and never abort.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kelisim {
namespace server {

/** o[key] when o is an object that has key; otherwise a reference to a static null. */
template <class J>
const J& jget(const J& o, const char* key) {
  static const J kNull;
  if (!o.is_object()) return kNull;
  auto it = o.find(key);
  return it == o.end() ? kNull : *it;
}

/** o[key] as a string; "" when missing or not a string. */
template <class J>
std::string jstr(const J& o, const char* key) {
  const J& v = jget(o, key);
  return v.is_string() ? v.template get<std::string>() : std::string();
}

/** o[key] as an integer; `fallback` when missing or not an integer. */
template <class J>
int64_t jint(const J& o, const char* key, int64_t fallback = 0) {
  const J& v = jget(o, key);
  return v.is_number_integer() ? v.template get<int64_t>() : fallback;
}

/** True when the [ / { nesting of the JSON text s is at most max deep (strings skipped; it stops
 *  at the first level too deep). Checked before parsing text from outside: nlohmann's dump()
 *  and copies recurse, and a document nested thousands deep would overflow the stack. */
inline bool depthWithin(std::string_view s, int max) {
  int depth = 0;
  bool inString = false, escape = false;
  for (char c : s) {
    if (inString) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') inString = false;
      continue;
    }
    if (c == '"') inString = true;
    else if (c == '[' || c == '{') {
      if (++depth > max) return false;
    } else if (c == ']' || c == '}') --depth;
  }
  return true;
}

}  // namespace server
}  // namespace kelisim
