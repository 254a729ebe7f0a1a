// The consent ledger's hash rules (docs/ledger.md "Sealing"). The server (server/) seals every
// stored event with these and `kelisim-server verify` checks them; they live in the core so
// that there is one implementation of every hash rule kelisim has. Pure functions, no I/O.
// Not linked into any wasm module (nothing in the bridges references them).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kelisim {
namespace ledger {

/** prev_row_hash of the first row: 64 zeros. */
extern const char kGenesis[65];

/** The deduplication key of an event: hex SHA-256("kelisim/event/1\n" recordId "\n" eventId).
 *  Two visitors (two record ids) who make the same choice in the same millisecond have the
 *  same history-entry hash but different keys; the same event delivered twice has one key.
 *  The key survives erasure (it does not reveal the record id: ids carry 72 random bits). */
std::string eventKey(std::string_view recordId, std::string_view eventId);

/** hex SHA-256("kelisim/personal/1\n" personal): what the chain covers of a row's personal
 *  fields, so that erasing them (personal → NULL) leaves the chain verifiable. */
std::string personalHash(std::string_view personal);

/** The row's seal: hex SHA-256("kelisim/ledger/1\n" prevRowHash "\n" seq "\n" serverAtMs "\n"
 *  eventKey "\n" personalHash "\n" body), decimal numbers. prevRowHash is the previous row's
 *  rowHash (kGenesis for seq 1). */
std::string rowHash(std::string_view prevRowHash, int64_t seq, int64_t serverAtMs, std::string_view eventKey,
                    std::string_view personalHash, std::string_view body);

/** The bytes an Ed25519 checkpoint signature covers. With the Merkle root of rows 1..seq
 *  (docs/ledger.md §4.2): "kelisim-ledger-checkpoint/2\n" seq "\n" headRowHash "\n" atMs "\n"
 *  root. Without (root "", checkpoints written before roots): "kelisim-ledger-checkpoint/1\n"
 *  seq "\n" headRowHash "\n" atMs. */
std::string checkpointMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view root = {});

/** The bytes both signatures of a key rotation cover (docs/ledger.md §4.1), the old key's and
 *  the new key's: "kelisim-ledger-key-rotation/1\n" seq "\n" headRowHash "\n" atMs "\n" root
 *  "\n" oldPublicKey "\n" newPublicKey (keys in 64 lowercase hex; root as for checkpoints). The
 *  old key hands the ledger over at that head; the new key vouches for the chain up to it. */
std::string rotationMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view root,
                            std::string_view oldKey, std::string_view newKey);

// The Merkle tree over the rows (docs/ledger.md §4.2; RFC 9162 §2.1's tree), so that a proof
// shows its rows are in the ledger a checkpoint signs without the rest of the ledger. Leaf i
// (the row of seq i + 1): SHA-256(0x00 || its row_hash, the 64 hex characters); node:
// SHA-256(0x01 || left || right) over the 32-byte digests. Hashes are hex outside.

std::string merkleLeaf(std::string_view rowHashHex);
std::string merkleNode(std::string_view leftHex, std::string_view rightHex);

/** The tree of the first size() leaves as the roots of its complete subtrees (largest first,
 *  one per 1 bit of the size): push() leaves in order; root() is the tree hash of them all. */
class MerkleFrontier {
 public:
  uint64_t size() const { return size_; }
  void push(std::string_view leafHex);
  /** Pushes a complete subtree of `leaves` leaves (a power of two) at once, given its tree
   *  hash: the same tree as pushing its leaves one by one, as long as size() is a multiple of
   *  `leaves` (the subtree is then aligned, as every complete subtree of RFC 9162 §2.1.1's
   *  tree is). Returns false, and changes nothing, otherwise. The server's stored Merkle
   *  blocks go into a range's tree this way (docs/ledger.md §4.4). */
  bool pushSubtree(std::string_view hashHex, uint64_t leaves);
  /** The tree hash ("" for no leaves). */
  std::string root() const;
  /** "size:hash,hash,…", what a checkpoint stores to go on from; parse() reads it back. */
  std::string text() const;
  static bool parse(std::string_view text, MerkleFrontier* out);

 private:
  uint64_t size_ = 0;
  std::vector<std::string> hashes_;
};

/** The leaf ranges [begin, end) whose tree hashes, in this order, are the inclusion path of
 *  leaf m in a tree of n leaves (RFC 9162 §2.1.3.1). Empty when m >= n or n == 1. */
std::vector<std::pair<uint64_t, uint64_t>> inclusionRanges(uint64_t m, uint64_t n);

/** RFC 9162 §2.1.3.2: true when `path` leads from leaf m (its leaf hash) to rootHex in a tree
 *  of n leaves. */
bool verifyInclusion(uint64_t m, uint64_t n, std::string_view leafHex, const std::vector<std::string>& path,
                     std::string_view rootHex);

/** The leaf ranges [begin, end) whose tree hashes, in this order, are the consistency proof
 *  between the tree of the first m leaves and the tree of the first n (RFC 9162 §2.1.4.1:
 *  PROOF(m, D[n]) = SUBPROOF(m, D[n], true)). Empty when m == n (nothing to prove), and when
 *  m == 0 or m > n (no proof exists: verifyConsistency refuses those). */
std::vector<std::pair<uint64_t, uint64_t>> consistencyRanges(uint64_t m, uint64_t n);

/** RFC 9162 §2.1.4.2: true when `path` shows that the tree of n leaves with root newRootHex
 *  extends the tree of its first m leaves with root oldRootHex. m == n: true only for an empty
 *  path and equal roots. false for m == 0, m > n, and a path of the wrong length. */
bool verifyConsistency(uint64_t m, uint64_t n, std::string_view oldRootHex, std::string_view newRootHex,
                       const std::vector<std::string>& path);

/** The bytes a proof document's Ed25519 signature covers: "kelisim-proof/1\n" + the proof's
 *  canonical JSON text (without its "signature" member). */
std::string proofMessage(std::string_view canonicalProof);

}  // namespace ledger
}  // namespace kelisim
