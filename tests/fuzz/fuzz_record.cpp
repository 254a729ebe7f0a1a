// Fuzz target: the record codec as the banner sees it — kel_decode_record (the consent wasm
// export, compiled natively) on whatever string sits in the cookie/localStorage.
// Invariants: never a crash; a value decodes only if it is exactly what the encoder writes
// for the decoded fields (kel_encode_record of the decoded fields gives back the very same
// text: "none decodes to a record that was not encoded"); a failure carries a record-* error
// code (absent for "", too-long above 1024 bytes) and no fields.
// Every input is tried twice: as is, and with its integrity check recomputed, so the fuzzer
// also reaches the field validation behind the SHA-256 check.
#include <cstddef>
#include <cstdint>
#include <string>

#include "bridge_c.h"
#include "core/constants.h"
#include "core/sha256.h"
#include "fuzz_util.h"

using kelisim::ErrorCode;

namespace {

// record.cpp's check: first 16 hex of SHA-256("kelisim/record/k1\n" + text before "~check").
std::string checkOf(const std::string& body) {
  return kelisim::sha256_hex("kelisim/record/k1\n" + body).substr(0, 16);
}

void checkOne(const std::string& text) {
  int32_t status = kel_decode_record(text.data(), uint32_t(text.size()));
  std::string out = fuzz::result();
  if (status != 0) {
    FUZZ_CHECK(status >= int32_t(ErrorCode::RecordAbsent) && status <= int32_t(ErrorCode::RecordChecksum),
               "unexpected error code " + std::to_string(status) + " for: " + text);
    FUZZ_CHECK(text.empty() == (status == int32_t(ErrorCode::RecordAbsent)), "absent iff empty: " + text);
    if (text.size() > 1024) FUZZ_CHECK(status == int32_t(ErrorCode::RecordTooLong), "too long not reported");
    FUZZ_CHECK(out.empty(), "failure left fields: " + out);
    return;
  }
  FUZZ_CHECK(text.size() <= 1024 && (text.rfind("k1~", 0) == 0 || text.rfind("k2~", 0) == 0), "decoded a value that is not k1 or k2: " + text);
  FUZZ_CHECK(fuzz::encodeFields(out) == 0, "decoded fields do not re-encode: " + out);
  FUZZ_CHECK(fuzz::result() == text, "decoded a value the encoder would not write: " + text + "\n  encoder: " +
                                         fuzz::result());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // decodeRecord refuses > 1024 bytes up front; longer adds nothing
  std::string text(reinterpret_cast<const char*>(data), size);
  checkOne(text);
  std::string fixed;
  if (text.size() >= 17 && text[text.size() - 17] == '~')
    fixed = text.substr(0, text.size() - 16) + checkOf(text.substr(0, text.size() - 17));
  else
    fixed = text + "~" + checkOf(text);
  checkOne(fixed);
  return 0;
}
