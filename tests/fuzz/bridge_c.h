// The consent module's C bridge (wasm/bridge/consent_bridge.cpp), compiled natively: the same
// entry points web/src/engine/core.js calls in the wasm build.
#pragma once
#include <cstdint>
#include <string>

extern "C" {
// The manifest's fields come first, positionally: id, version, body hash, publishedAt (ISO),
// categories ("id:flags" items joined by '\n'), rule (0|1), days, material (0|1), max ages (ms).
#define KEL_FUZZ_MANIFEST_PARAMS                                                                         \
  const char *idp, uint32_t idl, const char *vp, uint32_t vl, const char *hp, uint32_t hl, const char *pp, \
      uint32_t pl, const char *cp, uint32_t cl, int32_t rule, int32_t days, int32_t material, double acc, double rej
int32_t kel_decide(KEL_FUZZ_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc);
int32_t kel_apply(KEL_FUZZ_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc, int32_t op,
                  const char* chp, uint32_t chl, const char* nip, uint32_t nil, const char* php, uint32_t phl);
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
