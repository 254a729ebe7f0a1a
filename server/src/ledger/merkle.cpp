// Rows read for the core's Merkle rules (merkle.h).
#include "ledger/merkle.h"

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

StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows) {
  // Every range of every path gets a frontier of its own; one pass over the rows feeds each
  // leaf to the ranges that hold it. Leaf i is the row of seq i + 1.
  struct Range {
    uint64_t begin, end;
    ledger::MerkleFrontier f;
  };
  std::vector<Range> ranges;
  std::map<int64_t, std::vector<size_t>> order;  // seq → its path's ranges, in path order
  for (int64_t seq : seqs) {
    if (seq < 1 || seq > treeSize || order.count(seq)) continue;
    for (auto [b, en] : ledger::inclusionRanges(uint64_t(seq - 1), uint64_t(treeSize))) {
      size_t i = 0;
      while (i < ranges.size() && !(ranges[i].begin == b && ranges[i].end == en)) ++i;
      if (i == ranges.size()) ranges.push_back({b, en, {}});
      order[seq].push_back(i);
    }
    order[seq];  // a tree of one row: an empty path
  }
  StoreError e = eachRow(store, 1, treeSize, pageRows, [&](const Row& r) {
    uint64_t leaf = uint64_t(r.seq - 1);
    std::string hash;
    for (Range& g : ranges)
      if (leaf >= g.begin && leaf < g.end) {
        if (hash.empty()) hash = ledger::merkleLeaf(r.rowHash);
        g.f.push(hash);
      }
  });
  if (!e.ok()) return e;
  paths->clear();
  for (const auto& [seq, idx] : order) {
    std::vector<std::string>& p = (*paths)[seq];
    for (size_t i : idx) p.push_back(ranges[i].f.root());
  }
  return {};
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
