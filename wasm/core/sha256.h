// SHA-256 (FIPS 180-4), written for kelisim: record integrity checks, the consent history
// hash chain and canonical policy body hashes. No I/O; only the std::string helpers allocate
// (the consent path uses the heap-free to_hex(bytes, n, out)).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kelisim {

/** Incremental SHA-256. update() any number of times, then digest() once. */
class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t len);
  void update(std::string_view s) { update(s.data(), s.size()); }
  /** Finishes the hash and returns the 32-byte digest; the object must not be reused. */
  std::array<uint8_t, 32> digest();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

/** Writes the lowercase hex of n bytes to out[0 .. 2n) (no terminating NUL). */
void to_hex(const uint8_t* bytes, size_t n, char* out);

/** Lowercase hex of the given bytes. */
std::string to_hex(const uint8_t* bytes, size_t n);

/** Lowercase hex of SHA-256(data): 64 characters. */
std::string sha256_hex(std::string_view data);

}  // namespace kelisim
