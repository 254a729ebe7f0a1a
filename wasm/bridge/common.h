// Shared part of every kel_* bridge: memory for strings crossing the JS boundary and the
// one result slot. Include exactly once per wasm module (from its bridge .cpp).
//
// Calling convention (owned by web/src/engine/loader.js):
//   - JS copies each UTF-8 string argument into memory from kel_alloc(n) and passes (ptr, len);
//     JS frees them with kel_free after the call, in `finally`.
//   - A bridge function returns an int32 status: 0 = ok, otherwise an ErrorCode value
//     (constants.json). Its text output (the result on success, a message on error) is left
//     in the result slot, read through kel_result_ptr/kel_result_len until the next call.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace kelisim_bridge {
inline std::string& result_slot() {
  static std::string s;
  return s;
}
inline int32_t finish(int32_t status, std::string text) {
  result_slot() = std::move(text);
  return status;
}
inline std::string_view view(const char* p, uint32_t n) { return p ? std::string_view(p, n) : std::string_view(); }
}  // namespace kelisim_bridge

extern "C" {
/** Allocates n bytes (at least 1) for the caller; returns null when memory cannot grow. */
__attribute__((used)) void* kel_alloc(uint32_t n) { return std::malloc(n ? n : 1); }
/** Frees memory from kel_alloc; null is ignored. */
__attribute__((used)) void kel_free(void* p) { std::free(p); }
/** Address of the last call's text output (UTF-8, not NUL-terminated). */
__attribute__((used)) const char* kel_result_ptr() { return kelisim_bridge::result_slot().data(); }
/** Length in bytes of the last call's text output. */
__attribute__((used)) uint32_t kel_result_len() { return uint32_t(kelisim_bridge::result_slot().size()); }
}
