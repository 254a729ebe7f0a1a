// SHA-256 against the FIPS 180-4 / NIST CAVS example vectors.
#include <gtest/gtest.h>

#include "core/sha256.h"

using kelisim::Sha256;
using kelisim::sha256_hex;
using kelisim::to_hex;

TEST(Sha256, NistShortVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, OneMillionA) {
  Sha256 h;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(chunk);
  auto d = h.digest();
  EXPECT_EQ(to_hex(d.data(), d.size()), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAtEveryLengthAndSplit) {
  std::string data;
  for (int i = 0; i < 200; ++i) data += char('A' + i * 7 % 53);
  for (size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u, 200u}) {
    std::string s = data.substr(0, len);
    for (size_t split = 0; split <= len; split += 13) {
      Sha256 h;
      h.update(s.substr(0, split));
      h.update(s.substr(split));
      auto d = h.digest();
      EXPECT_EQ(to_hex(d.data(), d.size()), sha256_hex(s)) << len << "/" << split;
    }
  }
  // 55/56/64 bytes straddle the padding boundary: check one against its known value.
  EXPECT_EQ(sha256_hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

TEST(Sha256, PaddingAtEveryBlockBoundary) {
  // Lengths where the 0x80 + zeros + length padding spills into a second block or fills one
  // exactly (reference values from an independent implementation, Python's hashlib).
  EXPECT_EQ(sha256_hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(63, 'a')), "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha256_hex(std::string(119, 'a')), "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(sha256_hex(std::string(120, 'a')), "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
}

TEST(Sha256, HexIntoABufferEqualsTheStringForm) {
  const uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  char out[9] = "########";
  to_hex(bytes, 4, out);
  EXPECT_EQ(std::string(out, 8), "000fa5ff");
  EXPECT_EQ(std::string(out, 8), to_hex(bytes, 4));
  const uint8_t two[] = {0xab, 0xcd};
  to_hex(two, 2, out);  // writes exactly 2n characters
  EXPECT_EQ(std::string(out, 8), "abcda5ff") << "bytes past 2n must be untouched";
}
