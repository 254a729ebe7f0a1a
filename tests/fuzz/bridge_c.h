// The consent module's C bridge (wasm/bridge/consent_bridge.cpp), compiled natively: the same
// entry points web/src/engine/core.js calls in the wasm build.
#pragma once
#include <cstdint>
#include <string>

extern "C" {
int32_t kel_decide(const char* mp, uint32_t ml, const char* rp, uint32_t rl, double now, int32_t gpc);
int32_t kel_apply(const char* mp, uint32_t ml, const char* rp, uint32_t rl, double now, int32_t gpc, int32_t op,
                  const char* cp, uint32_t cl, const char* ip, uint32_t il, const char* hp, uint32_t hl);
int32_t kel_encode_record(const char* p, uint32_t n);
int32_t kel_decode_record(const char* p, uint32_t n);
const char* kel_result_ptr();
uint32_t kel_result_len();
}

namespace fuzz {
/** The last bridge call's text output. */
inline std::string result() { return std::string(kel_result_ptr(), kel_result_len()); }
/** Value of the first "key=value" line of a bridge result ("" when absent). */
inline std::string line(const std::string& text, const std::string& key) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (text.compare(start, key.size() + 1, key + "=") == 0) return text.substr(start + key.size() + 1, end - start - key.size() - 1);
    start = end + 1;
  }
  return "";
}
}  // namespace fuzz
