// The Merkle tree over the ledger's rows (docs/ledger.md §4.2–4.3), read from the store: the
// frontier a checkpoint signs the root of, the inclusion paths a proof carries and the
// consistency path between two checkpoints. The hash rules are the core's (wasm/core/ledger.h
// merkleLeaf, merkleNode, MerkleFrontier, inclusionRanges, consistencyRanges); this file only
// reads rows for them.
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

/** The tree hash of each leaf range [begin, end) of `ranges` (leaf i: the row of seq i + 1), in
 *  one pass over the rows they span, pages of pageRows: hashes[i] is ranges[i]'s. An error when
 *  a row is missing (a gap in seq) or the store fails; *hashes is then empty. */
StoreError rangeHashes(Store& store, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                       std::vector<std::string>* hashes, int64_t pageRows = 2000);

/** The inclusion path of each row in `seqs` in the tree of rows 1..treeSize (RFC 9162
 *  §2.1.3.1), in one pass over those rows: path[seq] = the hex hashes, in path order. */
StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows = 2000);

/** The consistency path between the trees of rows 1..fromSeq and rows 1..toSeq (RFC 9162
 *  §2.1.4.1; ledger::consistencyRanges), the hex hashes in path order, in one pass over those
 *  rows. Empty when fromSeq == toSeq (nothing read); 1 <= fromSeq <= toSeq is the caller's. */
StoreError consistencyPath(Store& store, int64_t fromSeq, int64_t toSeq, std::vector<std::string>* path,
                           int64_t pageRows = 2000);

/** The inclusion paths a proof of `rows` (one record's, in seq order) carries under its
 *  covering checkpoint: none when the checkpoint has no root or does not cover the last row. */
StoreError proofInclusion(Store& store, const std::vector<Row>& rows, const Checkpoint& covering,
                          std::map<int64_t, std::vector<std::string>>* out, int64_t pageRows = 2000);

}  // namespace server
}  // namespace kelisim
