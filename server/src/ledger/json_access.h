// Checked reads of stored JSON. The server builds with JSON_NOEXCEPTION (kelisim_core's public
// definition), where nlohmann's throwing accessors (at(), get<T>() of a wrong type, const
// operator[] of a missing key) abort; these return a default instead and never abort.
#pragma once
#include <cstdint>
#include <string>

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

}  // namespace server
}  // namespace kelisim
