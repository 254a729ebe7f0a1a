// The consent module's C bridge (wasm/bridge/consent_bridge.cpp), compiled natively: the same
// entry points web/src/engine/core.js calls in the wasm build.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
// The manifest's fields come first, positionally: id, version, body hash, publishedAt (ISO),
// categories ("id:flags" items joined by '\n'), rule (0|1), days, material (0|1), max ages (ms).
#define KEL_FUZZ_MANIFEST_PARAMS                                                                         \
  const char *idp, uint32_t idl, const char *vp, uint32_t vl, const char *hp, uint32_t hl, const char *pp, \
      uint32_t pl, const char *cp, uint32_t cl, int32_t rule, int32_t days, int32_t material, double acc, double rej
int32_t kel_decide(KEL_FUZZ_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc);
int32_t kel_apply(KEL_FUZZ_MANIFEST_PARAMS, const char* rp, uint32_t rl, double now, int32_t gpc, int32_t op,
                  const char* chp, uint32_t chl, const char* nip, uint32_t nil, const char* php, uint32_t phl);
// Record fields positionally: id, policy id, version, body hash (16 hex), given at (ms), method
// (0 explicit, 1 implicit), choices, notice version, notice at (ms), history head, service marks.
int32_t kel_encode_record(const char* ip, uint32_t il, const char* pp, uint32_t pl, const char* vp, uint32_t vl,
                          const char* hp, uint32_t hl, double given, int32_t method, const char* cp, uint32_t cl,
                          const char* np, uint32_t nl, double noticeAt, const char* hhp, uint32_t hhl,
                          const char* smp, uint32_t sml);
int32_t kel_decode_record(const char* p, uint32_t n);
const char* kel_result_ptr();
uint32_t kel_result_len();
}

namespace fuzz {
/** The last bridge call's text output. */
inline std::string result() { return std::string(kel_result_ptr(), kel_result_len()); }
/** Field i of a bridge result (each field's value followed by '\n'); "" when absent. */
inline std::string field(const std::string& text, size_t i) {
  size_t start = 0;
  for (; i > 0; --i) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) return "";
    start = end + 1;
  }
  size_t end = text.find('\n', start);
  return end == std::string::npos ? std::string() : text.substr(start, end - start);
}
/** Field positions in the results of kel_decide (action … entry), kel_apply (n = the encoded
 *  record, then its fields) and kel_decode_record (the record fields from 0). */
enum DecideField {
  kAction = 0, kReason, kRecordError, kDeadline, kEffective, kPrefill,
  kPending,          // categories whose consent document changed ('.'-joined)
  kServices,         // per-service states now, and preselected
  kServicesPrefill,
  kNewRecord
};
enum RecordField { kId = 0, kPolicyId, kVersion, kHash16, kGivenAt, kMethod, kChoices, kNoticeVersion, kNoticeAt, kHead, kMarks };
/** kel_encode_record of the 11 record fields as kel_decode_record writes them (text from field 0). */
inline int32_t encodeFields(const std::string& text) {
  std::vector<std::string> f;
  for (size_t i = 0; i <= kMarks; ++i) f.push_back(field(text, i));
  int32_t method = f[kMethod] == "explicit" ? 0 : f[kMethod] == "implicit" ? 1 : -1;
  return kel_encode_record(f[kId].data(), uint32_t(f[kId].size()), f[kPolicyId].data(), uint32_t(f[kPolicyId].size()),
                           f[kVersion].data(), uint32_t(f[kVersion].size()), f[kHash16].data(),
                           uint32_t(f[kHash16].size()), std::strtod(f[kGivenAt].c_str(), nullptr), method,
                           f[kChoices].data(), uint32_t(f[kChoices].size()), f[kNoticeVersion].data(),
                           uint32_t(f[kNoticeVersion].size()), std::strtod(f[kNoticeAt].c_str(), nullptr),
                           f[kHead].data(), uint32_t(f[kHead].size()), f[kMarks].data(), uint32_t(f[kMarks].size()));
}
}  // namespace fuzz
