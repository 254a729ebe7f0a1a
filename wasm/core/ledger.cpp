// The consent ledger's hash rules (see ledger.h).
#include "core/ledger.h"

#include "core/consent.h"
#include "core/sha256.h"

namespace kelisim {
namespace ledger {

const char kGenesis[65] = "0000000000000000000000000000000000000000000000000000000000000000";

std::string eventKey(std::string_view recordId, std::string_view eventId) {
  std::string s = "kelisim/event/1\n";
  s.append(recordId).append("\n").append(eventId);
  return sha256_hex(s);
}

std::string personalHash(std::string_view personal) {
  std::string s = "kelisim/personal/1\n";
  s.append(personal);
  return sha256_hex(s);
}

std::string rowHash(std::string_view prevRowHash, int64_t seq, int64_t serverAtMs, std::string_view eventKey,
                    std::string_view personalHash, std::string_view body) {
  Sha256 h;
  h.update("kelisim/ledger/1\n");
  h.update(prevRowHash);
  h.update("\n", 1);
  h.update(decimal(seq).view());
  h.update("\n", 1);
  h.update(decimal(serverAtMs).view());
  h.update("\n", 1);
  h.update(eventKey);
  h.update("\n", 1);
  h.update(personalHash);
  h.update("\n", 1);
  h.update(body);
  auto d = h.digest();
  return to_hex(d.data(), d.size());
}

std::string checkpointMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view root) {
  std::string s = root.empty() ? "kelisim-ledger-checkpoint/1\n" : "kelisim-ledger-checkpoint/2\n";
  s.append(decimal(seq).view()).append("\n").append(head).append("\n").append(decimal(atMs).view());
  if (!root.empty()) s.append("\n").append(root);
  return s;
}

std::string rotationMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view root,
                            std::string_view oldKey, std::string_view newKey) {
  std::string s = "kelisim-ledger-key-rotation/1\n";
  s.append(decimal(seq).view()).append("\n").append(head).append("\n").append(decimal(atMs).view());
  s.append("\n").append(root).append("\n").append(oldKey).append("\n").append(newKey);
  return s;
}

namespace {
bool fromHex32(std::string_view hex, uint8_t out[32]) {
  if (hex.size() != 64) return false;
  auto v = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int hi = v(hex[2 * i]), lo = v(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi * 16 + lo);
  }
  return true;
}
}  // namespace

std::string merkleLeaf(std::string_view rowHashHex) {
  Sha256 h;
  const uint8_t tag = 0x00;
  h.update(&tag, 1);
  h.update(rowHashHex);
  auto d = h.digest();
  return to_hex(d.data(), d.size());
}

std::string merkleNode(std::string_view leftHex, std::string_view rightHex) {
  uint8_t buf[65];
  buf[0] = 0x01;
  // A malformed hash (only from edited data) still hashes, as its text: never equal to a real node.
  if (!fromHex32(leftHex, buf + 1) || !fromHex32(rightHex, buf + 33)) {
    std::string s = "\x01";
    s.append(leftHex).append("|").append(rightHex);
    return sha256_hex(s);
  }
  Sha256 h;
  h.update(buf, sizeof buf);
  auto d = h.digest();
  return to_hex(d.data(), d.size());
}

void MerkleFrontier::push(std::string_view leafHex) { pushSubtree(leafHex, 1); }

bool MerkleFrontier::pushSubtree(std::string_view hashHex, uint64_t leaves) {
  if (leaves == 0 || (leaves & (leaves - 1)) != 0 || size_ % leaves != 0 || size_ + leaves < size_) return false;
  hashes_.emplace_back(hashHex);
  // Two complete subtrees of one size merge, as the carries of size_ + leaves in binary (every
  // subtree held is at least `leaves` wide, since size_ is a multiple of it).
  for (uint64_t s = size_ / leaves; s & 1; s >>= 1) {
    std::string right = std::move(hashes_.back());
    hashes_.pop_back();
    hashes_.back() = merkleNode(hashes_.back(), right);
  }
  size_ += leaves;
  return true;
}

std::string MerkleFrontier::root() const {
  if (hashes_.empty()) return "";
  std::string r = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) r = merkleNode(hashes_[i], r);
  return r;
}

std::string MerkleFrontier::text() const {
  std::string s(decimal(int64_t(size_)).view());
  s += ":";
  for (size_t i = 0; i < hashes_.size(); ++i) s.append(i ? "," : "").append(hashes_[i]);
  return s;
}

bool MerkleFrontier::parse(std::string_view text, MerkleFrontier* out) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) return false;
  uint64_t size = 0;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return false;
    size = size * 10 + uint64_t(c - '0');
  }
  std::vector<std::string> hashes;
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view h = rest.substr(0, comma);
    uint8_t raw[32];
    if (!fromHex32(h, raw)) return false;
    hashes.emplace_back(h);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (comma != std::string_view::npos && rest.empty()) return false;
  }
  if (size_t(__builtin_popcountll(size)) != hashes.size()) return false;
  out->size_ = size;
  out->hashes_ = std::move(hashes);
  return true;
}

namespace {
/** The largest power of two smaller than n (n >= 2), the split of RFC 9162 §2.1.1; never
 *  overflows, also for n above 2^63. */
uint64_t splitOf(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k *= 2;
  return k;
}

void pathRanges(uint64_t m, uint64_t begin, uint64_t end, std::vector<std::pair<uint64_t, uint64_t>>* out) {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = splitOf(n);
  if (m - begin < k) {
    pathRanges(m, begin, begin + k, out);
    out->push_back({begin + k, end});
  } else {
    pathRanges(m, begin + k, end, out);
    out->push_back({begin, begin + k});
  }
}
}  // namespace

std::vector<std::pair<uint64_t, uint64_t>> inclusionRanges(uint64_t m, uint64_t n) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  if (m < n) pathRanges(m, 0, n, &out);
  return out;
}

bool verifyInclusion(uint64_t m, uint64_t n, std::string_view leafHex, const std::vector<std::string>& path,
                     std::string_view rootHex) {
  if (m >= n) return false;
  uint64_t fn = m, sn = n - 1;
  std::string r(leafHex);
  for (const std::string& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = merkleNode(p, r);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      r = merkleNode(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == rootHex;
}

namespace {
/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[begin:end], whole): m counts the old tree's leaves within
 *  [begin, end); `whole` is true while that range is still the old tree's own prefix (its root
 *  the verifier already has). Recursion depth: at most one level per bit of n. */
void subproofRanges(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                    std::vector<std::pair<uint64_t, uint64_t>>* out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out->push_back({begin, end});
    return;
  }
  uint64_t k = splitOf(n);
  if (m <= k) {
    subproofRanges(m, begin, begin + k, whole, out);
    out->push_back({begin + k, end});
  } else {
    subproofRanges(m - k, begin + k, end, false, out);
    out->push_back({begin, begin + k});
  }
}
}  // namespace

std::vector<std::pair<uint64_t, uint64_t>> consistencyRanges(uint64_t m, uint64_t n) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  if (m > 0 && m < n) subproofRanges(m, 0, n, true, &out);
  return out;
}

bool verifyConsistency(uint64_t m, uint64_t n, std::string_view oldRootHex, std::string_view newRootHex,
                       const std::vector<std::string>& path) {
  if (m == 0 || m > n) return false;
  // RFC 9162 §2.1.4.1: the proof between a tree and itself is empty.
  if (m == n) return path.empty() && oldRootHex == newRootHex;
  // RFC 9162 §2.1.4.2, step by step.
  if (path.empty()) return false;                                      // 1
  std::vector<std::string_view> p;                                     // 2: a complete old tree is
  if ((m & (m - 1)) == 0) p.push_back(oldRootHex);                     //    the first node itself
  for (const std::string& h : path) p.push_back(h);
  uint64_t fn = m - 1, sn = n - 1;                                     // 3
  while (fn & 1) fn >>= 1, sn >>= 1;                                   // 4
  std::string fr(p[0]), sr(p[0]);                                      // 5
  for (size_t i = 1; i < p.size(); ++i) {                              // 6
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = merkleNode(p[i], fr);
      sr = merkleNode(p[i], sr);
      if (!(fn & 1))
        while (!(fn & 1) && fn != 0) fn >>= 1, sn >>= 1;
    } else {
      sr = merkleNode(sr, p[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == oldRootHex && sr == newRootHex && sn == 0;              // 7
}

std::string proofMessage(std::string_view canonicalProof) {
  std::string s = "kelisim-proof/1\n";
  s.append(canonicalProof);
  return s;
}

}  // namespace ledger
}  // namespace kelisim
