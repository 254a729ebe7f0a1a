// Record codec: round trips, size bound, and 10,000 mutated and random strings that must never
// crash and never decode to a record that was not encoded.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/consent.h"
#include "core/sha256.h"

using namespace kelisim;

namespace {

Record sample(int categories, uint32_t seed) {
  std::mt19937 rng(seed);
  Record r;
  r.id = "Vx9_k2-Lq8ZtR4mN0pW7yS3e";
  r.policyId = "smartaqkol-privacy";
  r.version = "2025.06.10-r2";
  r.bodyHash16 = "0123456789abcdef";
  r.givenAtMs = 1749538800000 + int64_t(rng() % 100000000);
  r.method = rng() % 2 ? Method::Implicit : Method::Explicit;
  static const char* names[] = {"necessary", "analytics", "marketing", "personalization", "functional",
                                "social_media", "ab_testing", "support_chat", "video_embeds", "newsletter",
                                "maps", "fonts"};
  for (int i = 0; i < categories; ++i) r.choices.push_back({names[i], rng() % 2 == 0});
  r.noticeVersion = rng() % 2 ? "2025.06.10-r2" : "";
  r.noticeAtMs = r.noticeVersion.empty() ? 0 : r.givenAtMs - 5000;
  r.historyHead = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  return r;
}

bool cookieOctet(char c) {  // RFC 6265 §4.1.1
  unsigned char u = c;
  return u == 0x21 || (u >= 0x23 && u <= 0x2B) || (u >= 0x2D && u <= 0x3A) || (u >= 0x3C && u <= 0x5B) ||
         (u >= 0x5D && u <= 0x7E);
}

}  // namespace

TEST(Record, RoundTripsAndStaysCookieSafeAndSmall) {
  for (uint32_t seed = 0; seed < 50; ++seed) {
    Record r = sample(10, seed);
    std::string s = encodeRecord(r).str();
    EXPECT_LE(s.size(), 600u) << s;
    for (char c : s) EXPECT_TRUE(cookieOctet(c)) << s;
    DecodeResult d = decodeRecord(s);
    ASSERT_TRUE(d.ok) << s;
    EXPECT_TRUE(d.record == r);
  }
}

TEST(Record, TimesLieBeforeTheYear10000) {
  // Base 36 has room for far larger times; the codec takes only what a JS number holds exactly
  // and a real consent can carry (fuzz_record found 11-digit times decoding, then coming back
  // different through the JS-number bridge).
  Record r = sample(3, 7);
  r.givenAtMs = kMaxMs - 1;
  r.noticeAtMs = kMaxMs - 1;
  r.noticeVersion = "2";
  DecodeResult ok = decodeRecord(encodeRecord(r).str());
  ASSERT_TRUE(ok.ok);
  EXPECT_EQ(ok.record.givenAtMs, kMaxMs - 1);
  for (int64_t t : {kMaxMs, int64_t(1) << 53, int64_t(131621703842267135)}) {  // 36^11 - 1 = "zzzzzzzzzzz"
    Record g = r;
    g.givenAtMs = t;
    EXPECT_FALSE(decodeRecord(encodeRecord(g).str()).ok) << t;
    Record n = r;
    n.noticeAtMs = t;
    EXPECT_FALSE(decodeRecord(encodeRecord(n).str()).ok) << t;
  }
}

TEST(Record, ErrorCodesNameWhatIsWrong) {
  std::string good = encodeRecord(sample(3, 1)).str();
  EXPECT_EQ(decodeRecord("").error, ErrorCode::RecordAbsent);
  EXPECT_EQ(decodeRecord(std::string(kMaxRecordLength + 1, 'k')).error, ErrorCode::RecordTooLong);
  EXPECT_EQ(decodeRecord("_ga=GA1.2.3").error, ErrorCode::RecordForeign);
  EXPECT_EQ(decodeRecord("k~x").error, ErrorCode::RecordForeign);
  EXPECT_EQ(decodeRecord("k7~" + good.substr(3)).error, ErrorCode::RecordUnknownVersion);
  EXPECT_EQ(decodeRecord(good.substr(0, good.size() - 20)).error, ErrorCode::RecordMalformed);
  std::string edited = good;
  edited[good.find(":1") != std::string::npos ? good.find(":1") + 1 : good.find(":0") + 1] ^= 1;  // 0<->1
  EXPECT_EQ(decodeRecord(edited).error, ErrorCode::RecordChecksum);
}

TEST(Record, TenThousandMutatedAndRandomStringsNeverDecodeToARecordNotEncoded) {
  std::mt19937 rng(20261122);
  std::vector<std::string> originals;
  std::set<std::string> encoded;
  for (uint32_t seed = 0; seed < 20; ++seed) {
    originals.push_back(encodeRecord(sample(1 + seed % 10, seed)).str());
    encoded.insert(originals.back());
  }
  const std::string alphabet = "k1~:.0123456789abcdefxyzABC_-!%;= \x00\xff\xd0\x9a";
  int decodedOk = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string s;
    if (i % 4 == 3) {  // random strings, sometimes with our prefix
      size_t n = rng() % 700;
      s = i % 8 == 3 ? "k1~" : "";
      for (size_t j = 0; j < n; ++j) s += alphabet[rng() % alphabet.size()];
    } else {  // 1..4 mutations of a real record: flip, insert, delete, truncate, duplicate
      s = originals[rng() % originals.size()];
      int edits = 1 + rng() % 4;
      for (int e = 0; e < edits && !s.empty(); ++e) {
        size_t at = rng() % s.size();
        switch (rng() % 5) {
          case 0: s[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: s.insert(s.begin() + at, alphabet[rng() % alphabet.size()]); break;
          case 2: s.erase(at, 1 + rng() % 3); break;
          case 3: s.resize(at); break;
          case 4: s += s.substr(at); break;
        }
      }
    }
    DecodeResult d = decodeRecord(s);
    if (d.ok) {
      ++decodedOk;
      // The only strings that may decode are unchanged originals, to exactly their record.
      EXPECT_EQ(encoded.count(s), 1u) << s;
      EXPECT_EQ(encodeRecord(d.record).str(), s);
    } else {
      EXPECT_NE(d.error, ErrorCode::Ok);
      EXPECT_TRUE(d.record == Record());
    }
  }
  EXPECT_LT(decodedOk, 100);  // mutations that happen to restore the original are rare
}

TEST(History, ChainLinksEveryEntryToThePreviousHash) {
  const std::string bodyHash(64, 'a');  // Manifest views its strings: keep them alive
  Manifest m;
  m.policyId = "p";
  m.version = "1";
  m.bodyHash = bodyHash;
  m.publishedAtMs = 1749538800000;
  m.categories = {{"necessary", true, false}, {"analytics", false, false}};
  std::string stored;
  std::string prev;
  for (Op op : {Op::AcceptAll, Op::RejectAll, Op::Withdraw, Op::AcceptAll}) {
    ApplyInput in;
    in.op = op;
    in.newId = "abcdefgh";
    ApplyResult r;
    ASSERT_TRUE(apply(m, stored, 1749538800000 + 1000, Signals{}, in, &r).ok());
    EXPECT_EQ(std::string(r.entry.prevHash.view()), prev);
    EXPECT_EQ(std::string(r.entry.hash.view()), sha256_hex(prev + "\n" + r.entry.canonical().str()));
    EXPECT_EQ(r.record.historyHead, r.entry.hash);
    prev = std::string(r.entry.hash.view());
    stored = encodeRecord(r.record).str();
  }
}

TEST(Choices, AtMost64ItemsAndNoDuplicates) {
  auto items = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? ".c" : "c") + std::to_string(i) + (i % 2 ? ":1" : ":0");
    return s;
  };
  Choices c;
  ASSERT_TRUE(parseChoices(items(64), &c));
  EXPECT_EQ(c.size(), 64u);
  EXPECT_EQ(choicesText(c).str(), items(64));
  EXPECT_FALSE(parseChoices(items(65), &c)) << "a 65th item must be refused, not dropped";
  EXPECT_FALSE(parseChoices("a:1.b:0.a:0", &c));
  EXPECT_FALSE(parseChoices("a:1.", &c));
  EXPECT_FALSE(parseChoices("A:1", &c));
  EXPECT_FALSE(parseChoices("a:2", &c));
  ASSERT_TRUE(parseChoices("", &c));
  EXPECT_TRUE(c.empty());
}

TEST(Record, FixedFieldsRefuseWhatDoesNotFit) {
  Id id;
  EXPECT_TRUE(id.assign(std::string(32, 'x')));
  EXPECT_EQ(id.size(), 32u);
  EXPECT_FALSE(id.assign(std::string(33, 'x')));
  EXPECT_TRUE(id.empty()) << "an over-long value leaves the field empty, never truncated";
  Str<16> h = "0123456789abcdef0";  // 17 characters
  EXPECT_TRUE(h.empty());
}

TEST(Record, TenCategoriesAndThirtyServicesStayWithin600Bytes) {
  // Issue 12: the per-service marks (6 characters each) keep a k2 record of 10 categories and
  // 30 services within the same 600 bytes; marks round-trip; a k1 record has none.
  for (uint32_t seed = 0; seed < 20; ++seed) {
    Record r = sample(10, seed);
    std::mt19937 rng(seed);
    for (int i = 0; i < 30; ++i) r.services.push_back({serviceHash("service-" + std::to_string(i)), rng() % 2 == 0});
    std::string s = encodeRecord(r).str();
    EXPECT_EQ(s.substr(0, 3), "k2~");
    EXPECT_LE(s.size(), 600u) << s;
    for (char c : s) EXPECT_TRUE(cookieOctet(c)) << s;
    DecodeResult d = decodeRecord(s);
    ASSERT_TRUE(d.ok) << s;
    EXPECT_TRUE(d.record == r);
    EXPECT_EQ(d.record.services.size(), 30u);
  }
  EXPECT_EQ(encodeRecord(sample(3, 1)).str().substr(0, 3), "k1~");
}

TEST(Record, MalformedServiceMarksAreRefused) {
  Record r = sample(3, 2);
  r.services.push_back({serviceHash("youtube"), true});
  std::string good = encodeRecord(r).str();
  ASSERT_TRUE(decodeRecord(good).ok);
  // The marks field is the one before the check; rewrite it and recompute the check.
  size_t end = good.size() - 17, start = good.rfind('~', end - 1) + 1;
  auto with = [&](const std::string& marks, char version = '2') {
    std::string body = good.substr(0, start) + marks;
    body[1] = version;
    return body + "~" + sha256_hex("kelisim/record/k1\n" + body).substr(0, 16);
  };
  EXPECT_TRUE(decodeRecord(with(good.substr(start, end - start))).ok);
  for (const char* bad : {"", "abcde", "abcde2", "ABCDE1", "wxyzz1", "abcde1abcde0", "abcde1x"})
    EXPECT_EQ(decodeRecord(with(bad)).error, ErrorCode::RecordMalformed) << bad;
  // k1 with a marks field; k2 without one (the field dropped).
  EXPECT_EQ(decodeRecord(with("abcde1", '1')).error, ErrorCode::RecordMalformed);
  std::string body = good.substr(0, start - 1);
  EXPECT_EQ(decodeRecord(body + "~" + sha256_hex("kelisim/record/k1\n" + body).substr(0, 16)).error,
            ErrorCode::RecordMalformed);
}
