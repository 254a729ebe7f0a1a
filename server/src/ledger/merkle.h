// The Merkle tree over the ledger's rows (docs/ledger.md §4.2), read from the store: the
// frontier a checkpoint signs the root of, and the inclusion paths a proof carries. The hash
// rules are the core's (wasm/core/ledger.h merkleLeaf, merkleNode, MerkleFrontier,
// inclusionRanges); this file only reads rows for them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
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

/** The inclusion path of each row in `seqs` in the tree of rows 1..treeSize (RFC 9162
 *  §2.1.3.1), in one pass over those rows: path[seq] = the hex hashes, in path order. */
StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows = 2000);

/** The inclusion paths a proof of `rows` (one record's, in seq order) carries under its
 *  covering checkpoint: none when the checkpoint has no root or does not cover the last row. */
StoreError proofInclusion(Store& store, const std::vector<Row>& rows, const Checkpoint& covering,
                          std::map<int64_t, std::vector<std::string>>* out, int64_t pageRows = 2000);

}  // namespace server
}  // namespace kelisim
