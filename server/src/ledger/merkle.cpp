// Rows read for the core's Merkle rules (merkle.h).
#include "ledger/merkle.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace kelisim {
namespace server {

namespace {
/** Calls each(row) for rows from..to in seq order, pages of pageRows; an error on a gap. */
template <class F>
StoreError eachRow(Store& store, int64_t from, int64_t to, int64_t pageRows, F each) {
  int64_t next = from;
  StoreError e = eachPage(store, from, to + 1, pageRows, [&](std::vector<Row>& page) {
    for (const Row& r : page) {
      if (r.seq != next) return false;
      each(r);
      ++next;
    }
    return true;
  });
  if (e.ok() && next <= to)
    return StoreError{"row " + std::to_string(next) + " is missing: cannot compute the Merkle tree", false};
  return e;
}
}  // namespace

StoreError extendFrontier(Store& store, int64_t seq, ledger::MerkleFrontier* f, int64_t pageRows) {
  ledger::MerkleFrontier g = *f;
  StoreError e = eachRow(store, int64_t(g.size()) + 1, seq, pageRows,
                         [&](const Row& r) { g.push(ledger::merkleLeaf(r.rowHash)); });
  if (e.ok()) *f = std::move(g);
  return e;
}

StoreError frontierAt(Store& store, int64_t seq, const Checkpoint* latest, ledger::MerkleFrontier* f) {
  ledger::MerkleFrontier tree = *f, stored;
  // An unreadable stored frontier is passed over: the rows give the tree.
  if (latest && latest->seq <= seq && ledger::MerkleFrontier::parse(latest->frontier, &stored) &&
      stored.size() > tree.size())
    tree = std::move(stored);
  if (int64_t(tree.size()) > seq) tree = ledger::MerkleFrontier();
  StoreError e = extendFrontier(store, seq, &tree);
  if (e.ok()) *f = std::move(tree);
  return e;
}

StoreError frontierAt(Store& store, int64_t seq, ledger::MerkleFrontier* f) {
  Checkpoint latest;
  bool found = false;
  StoreError e = store.latestCheckpoint(&latest, &found);
  if (!e.ok()) return e;
  ledger::MerkleFrontier tree;
  if ((e = frontierAt(store, seq, found ? &latest : nullptr, &tree)).ok()) *f = std::move(tree);
  return e;
}

StoreError rangeHashes(Store& store, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                       std::vector<std::string>* hashes, int64_t pageRows) {
  // Every range gets a frontier of its own; one pass over the rows feeds each leaf to the
  // ranges that hold it.
  hashes->clear();
  if (ranges.empty()) return {};
  std::vector<ledger::MerkleFrontier> trees(ranges.size());
  uint64_t first = ranges[0].first, end = ranges[0].second;
  for (auto [b, e] : ranges) first = std::min(first, b), end = std::max(end, e);
  StoreError e = eachRow(store, int64_t(first) + 1, int64_t(end), pageRows, [&](const Row& r) {
    uint64_t leaf = uint64_t(r.seq - 1);
    std::string hash;
    for (size_t i = 0; i < ranges.size(); ++i)
      if (leaf >= ranges[i].first && leaf < ranges[i].second) {
        if (hash.empty()) hash = ledger::merkleLeaf(r.rowHash);
        trees[i].push(hash);
      }
  });
  if (!e.ok()) return e;
  for (const ledger::MerkleFrontier& t : trees) hashes->push_back(t.root());
  return {};
}

StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows) {
  // The paths share ranges (a subtree beside several of the rows): each is hashed once.
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  std::map<int64_t, std::vector<size_t>> order;  // seq → its path's ranges, in path order
  for (int64_t seq : seqs) {
    if (seq < 1 || seq > treeSize || order.count(seq)) continue;
    for (auto range : ledger::inclusionRanges(uint64_t(seq - 1), uint64_t(treeSize))) {
      size_t i = std::find(ranges.begin(), ranges.end(), range) - ranges.begin();
      if (i == ranges.size()) ranges.push_back(range);
      order[seq].push_back(i);
    }
    order[seq];  // a tree of one row: an empty path
  }
  std::vector<std::string> hashes;
  StoreError e = rangeHashes(store, ranges, &hashes, pageRows);
  if (!e.ok()) return e;
  paths->clear();
  for (const auto& [seq, idx] : order) {
    std::vector<std::string>& p = (*paths)[seq];
    for (size_t i : idx) p.push_back(hashes[i]);
  }
  return {};
}

StoreError consistencyPath(Store& store, int64_t fromSeq, int64_t toSeq, std::vector<std::string>* path,
                           int64_t pageRows) {
  if (fromSeq < 1 || fromSeq > toSeq) {
    path->clear();
    return {};
  }
  return rangeHashes(store, ledger::consistencyRanges(uint64_t(fromSeq), uint64_t(toSeq)), path, pageRows);
}

StoreError proofInclusion(Store& store, const std::vector<Row>& rows, const Checkpoint& covering,
                          std::map<int64_t, std::vector<std::string>>* out, int64_t pageRows) {
  out->clear();
  if (rows.empty() || covering.root.empty() || covering.seq < rows.back().seq) return {};
  std::vector<int64_t> seqs;
  for (const Row& r : rows) seqs.push_back(r.seq);
  return inclusionPaths(store, seqs, covering.seq, out, pageRows);
}

}  // namespace server
}  // namespace kelisim
