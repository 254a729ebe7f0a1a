// The Merkle tree over the ledger's rows (docs/ledger.md §4.2–4.3), read from the store: the
// frontier a checkpoint signs the root of, the inclusion paths a proof carries and the
// consistency path between two checkpoints. The hash rules are the core's (wasm/core/ledger.h
// merkleLeaf, merkleNode, MerkleFrontier, inclusionRanges, consistencyRanges); this file only
// reads rows for them, and the stored Merkle blocks (docs/ledger.md §4.4) that spare reading
// most of them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/ledger.h"
#include "store/store.h"

namespace kelisim {
namespace server {

/** The leaves of a stored Merkle block: a power of two, so that an aligned range of 2^k >= B
 *  leaves is the balanced tree of its 2^k/B blocks. 1024: a proof then reads about N/1024
 *  block hashes and fewer than 2·1024 rows per range end instead of N rows. Tests use smaller
 *  ones; writer, routes and verify must use the same (the table keeps the size with each
 *  block, so a reader of another size finds none and falls back to rows). */
constexpr int64_t kMerkleBlockLeaves = 1024;

/** True when `leaves` can be a block size: a power of two >= 2. Other values turn the cache
 *  off (every range is read from rows, as before migration 003). */
bool isMerkleBlockSize(int64_t leaves);

/** Stores the hash of every complete block of blockLeaves leaves within rows 1..seq after the
 *  last block stored, reading the rows from that block on (a ledger from before the cache,
 *  whose table is empty, fills from row 1, once). The writer calls it before it signs the
 *  checkpoint at seq, so every block a checkpoint covers is there when a proof asks. Nothing
 *  when blockLeaves is not a block size. An error when a row is missing or the store fails;
 *  the blocks stored before the error stay (each is the tree of its rows). */
StoreError storeMerkleBlocks(Store& store, int64_t seq, int64_t blockLeaves = kMerkleBlockLeaves,
                             int64_t pageRows = 2000);

/** Extends *f (the tree of rows 1..f->size()) with the rows after it up to seq, read in pages.
 *  An error when a row is missing (a gap in seq) or the store fails; *f is then unchanged. */
StoreError extendFrontier(Store& store, int64_t seq, ledger::MerkleFrontier* f, int64_t pageRows = 2000);

/** Brings *f (the tree of rows 1..f->size() already known, or empty) to rows 1..seq: from
 *  `latest`'s stored frontier (the newest checkpoint; nullptr: none) instead when that one is
 *  further along and not beyond seq, from the first row when *f is beyond seq, then reading
 *  the rows after it (extendFrontier). */
StoreError frontierAt(Store& store, int64_t seq, const Checkpoint* latest, ledger::MerkleFrontier* f);
/** The same from an empty tree, reading the newest checkpoint itself. */
StoreError frontierAt(Store& store, int64_t seq, ledger::MerkleFrontier* f);

/** The tree hash of each leaf range [begin, end) of `ranges` (leaf i: the row of seq i + 1):
 *  hashes[i] is ranges[i]'s. The whole blocks of blockLeaves leaves a range starts with (when it
 *  starts on a block boundary, as every RFC 9162 subtree larger than a block does) come from
 *  the stored blocks; the leaves after them, and any block not stored, from the rows, read in
 *  pages of pageRows. Not a block size: every range from the rows, in one pass over the rows
 *  they span. The stored blocks are trusted here: callers check what they build against a
 *  signed root (ledger::verifyInclusion / verifyConsistency). An error when a row is missing (a
 *  gap in seq) or the store fails; *hashes is then empty. */
StoreError rangeHashes(Store& store, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                       std::vector<std::string>* hashes, int64_t pageRows = 2000,
                       int64_t blockLeaves = kMerkleBlockLeaves);

/** The inclusion path of each row in `seqs` in the tree of rows 1..treeSize (RFC 9162
 *  §2.1.3.1), from the stored blocks and the rows around them (rangeHashes): path[seq] = the
 *  hex hashes, in path order. */
StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows = 2000,
                          int64_t blockLeaves = kMerkleBlockLeaves);

/** The consistency path between the trees of rows 1..fromSeq and rows 1..toSeq (RFC 9162
 *  §2.1.4.1; ledger::consistencyRanges), the hex hashes in path order, from the stored blocks
 *  and the rows around them (rangeHashes). Empty when fromSeq == toSeq (nothing read);
 *  1 <= fromSeq <= toSeq is the caller's. */
StoreError consistencyPath(Store& store, int64_t fromSeq, int64_t toSeq, std::vector<std::string>* path,
                           int64_t pageRows = 2000, int64_t blockLeaves = kMerkleBlockLeaves);

/** The inclusion paths a proof of `rows` (one record's, in seq order) carries under its
 *  covering checkpoint: none when the checkpoint has no root or does not cover the last row. */
StoreError proofInclusion(Store& store, const std::vector<Row>& rows, const Checkpoint& covering,
                          std::map<int64_t, std::vector<std::string>>* out, int64_t pageRows = 2000,
                          int64_t blockLeaves = kMerkleBlockLeaves);

/** True when every path of `inclusion` leads from its row (`rows`, by seq) to `covering`'s
 *  signed root (ledger::verifyInclusion); *badSeq is then 0, else the first row whose path does
 *  not (the stored rows or Merkle blocks changed after the checkpoint was signed). */
bool inclusionHolds(const std::vector<Row>& rows, const Checkpoint& covering,
                    const std::map<int64_t, std::vector<std::string>>& inclusion, int64_t* badSeq);

}  // namespace server
}  // namespace kelisim
