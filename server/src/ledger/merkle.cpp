// Rows and stored Merkle blocks read for the core's Merkle rules (merkle.h).
#include "ledger/merkle.h"

#include <algorithm>
#include <cstdint>
#include <set>
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

bool isMerkleBlockSize(int64_t leaves) { return leaves >= 2 && (leaves & (leaves - 1)) == 0; }

StoreError storeMerkleBlocks(Store& store, int64_t seq, int64_t blockLeaves, int64_t pageRows) {
  if (!isMerkleBlockSize(blockLeaves)) return {};
  int64_t last = -1;
  StoreError e = store.lastMerkleBlock(blockLeaves, &last);
  int64_t from = last + 1, to = seq / blockLeaves;  // blocks [from, to) are complete and missing
  if (!e.ok() || from >= to) return e;
  // Written a thousand at a time, so that filling a large ledger from before the cache neither
  // holds all its blocks nor loses what it did when it stops half way.
  std::vector<MerkleBlock> done;
  ledger::MerkleFrontier block;
  StoreError written;
  e = eachRow(store, from * blockLeaves + 1, to * blockLeaves, pageRows, [&](const Row& r) {
    block.push(ledger::merkleLeaf(r.rowHash));
    if (int64_t(block.size()) < blockLeaves) return;
    done.push_back({blockLeaves, (r.seq - 1) / blockLeaves, block.root()});
    block = ledger::MerkleFrontier();
    if (done.size() >= 1000 && written.ok()) {
      written = store.addMerkleBlocks(done);
      done.clear();
    }
  });
  if (!e.ok()) return e;
  return written.ok() ? store.addMerkleBlocks(done) : written;
}

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

namespace {
/** rangeHashes without blocks: every range from the rows, one pass over the rows they span. */
StoreError rangeHashesFromRows(Store& store, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                               std::vector<std::string>* hashes, int64_t pageRows) {
  // Every range gets a frontier of its own; one pass over the rows feeds each leaf to the
  // ranges that hold it.
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

/** Adds [begin, end) to a set of disjoint leaf spans, merging it with those it touches. */
void addSpan(std::map<uint64_t, uint64_t>* spans, uint64_t begin, uint64_t end) {
  if (begin >= end) return;
  auto it = spans->upper_bound(begin);
  if (it != spans->begin() && std::prev(it)->second >= begin) {
    --it;
    begin = it->first;
    end = std::max(end, it->second);
    it = spans->erase(it);
  }
  while (it != spans->end() && it->first <= end) {
    end = std::max(end, it->second);
    it = spans->erase(it);
  }
  (*spans)[begin] = end;
}
}  // namespace

StoreError rangeHashes(Store& store, const std::vector<std::pair<uint64_t, uint64_t>>& ranges,
                       std::vector<std::string>* hashes, int64_t pageRows, int64_t blockLeaves) {
  hashes->clear();
  if (ranges.empty()) return {};
  if (!isMerkleBlockSize(blockLeaves)) return rangeHashesFromRows(store, ranges, hashes, pageRows);
  const uint64_t B = uint64_t(blockLeaves);
  // Each range: the whole blocks it starts with, then single leaves [tail, end).
  struct Parts {
    uint64_t firstBlock = 0, blocks = 0, tail = 0, end = 0;
  };
  std::vector<Parts> parts;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (auto [b, e] : ranges) {
    Parts p{0, 0, b, e};
    if (b % B == 0 && e > b && e - b >= B) {
      p.firstBlock = b / B;
      p.blocks = (e - b) / B;
      p.tail = b + p.blocks * B;
      lo = std::min(lo, p.firstBlock), hi = std::max(hi, p.firstBlock + p.blocks);
    }
    parts.push_back(p);
  }
  std::map<uint64_t, std::string> blockHash;
  StoreError e;
  if (lo < hi) {
    std::vector<MerkleBlock> stored;
    if (!(e = store.merkleBlocks(blockLeaves, int64_t(lo), int64_t(hi), &stored)).ok()) return e;
    for (MerkleBlock& b : stored) blockHash[uint64_t(b.block)] = std::move(b.hash);
  }
  // The rows to read: every tail, and every block not stored (not yet written, or deleted),
  // which is then hashed from its rows as they pass.
  std::map<uint64_t, uint64_t> spans;              // begin → end, disjoint
  std::map<uint64_t, std::string> tailLeaf;        // leaf → its leaf hash, once read
  std::map<uint64_t, ledger::MerkleFrontier> building;  // a missing block → its leaves so far
  for (const Parts& p : parts) {
    addSpan(&spans, p.tail, p.end);
    for (uint64_t i = p.tail; i < p.end; ++i) tailLeaf[i];
    for (uint64_t k = p.firstBlock; k < p.firstBlock + p.blocks; ++k)
      if (!blockHash.count(k) && !building.count(k)) {
        building[k];
        addSpan(&spans, k * B, (k + 1) * B);
      }
  }
  for (auto [begin, end] : spans) {
    e = eachRow(store, int64_t(begin) + 1, int64_t(end), pageRows, [&](const Row& r) {
      uint64_t leaf = uint64_t(r.seq - 1);
      std::string hash = ledger::merkleLeaf(r.rowHash);
      auto t = tailLeaf.find(leaf);
      if (t != tailLeaf.end()) t->second = hash;
      auto b = building.find(leaf / B);
      if (b == building.end()) return;
      b->second.push(hash);
      if (b->second.size() == B) {
        blockHash[b->first] = b->second.root();
        building.erase(b);
      }
    });
    if (!e.ok()) return e;
  }
  for (const Parts& p : parts) {
    ledger::MerkleFrontier t;
    for (uint64_t k = p.firstBlock; k < p.firstBlock + p.blocks; ++k) t.pushSubtree(blockHash[k], B);
    for (uint64_t i = p.tail; i < p.end; ++i) t.push(tailLeaf[i]);
    hashes->push_back(t.root());
  }
  return {};
}

StoreError inclusionPaths(Store& store, const std::vector<int64_t>& seqs, int64_t treeSize,
                          std::map<int64_t, std::vector<std::string>>* paths, int64_t pageRows,
                          int64_t blockLeaves) {
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
  StoreError e = rangeHashes(store, ranges, &hashes, pageRows, blockLeaves);
  if (!e.ok()) return e;
  paths->clear();
  for (const auto& [seq, idx] : order) {
    std::vector<std::string>& p = (*paths)[seq];
    for (size_t i : idx) p.push_back(hashes[i]);
  }
  return {};
}

StoreError consistencyPath(Store& store, int64_t fromSeq, int64_t toSeq, std::vector<std::string>* path,
                           int64_t pageRows, int64_t blockLeaves) {
  if (fromSeq < 1 || fromSeq > toSeq) {
    path->clear();
    return {};
  }
  return rangeHashes(store, ledger::consistencyRanges(uint64_t(fromSeq), uint64_t(toSeq)), path, pageRows,
                     blockLeaves);
}

StoreError proofInclusion(Store& store, const std::vector<Row>& rows, const Checkpoint& covering,
                          std::map<int64_t, std::vector<std::string>>* out, int64_t pageRows,
                          int64_t blockLeaves) {
  out->clear();
  if (rows.empty() || covering.root.empty() || covering.seq < rows.back().seq) return {};
  std::vector<int64_t> seqs;
  for (const Row& r : rows) seqs.push_back(r.seq);
  return inclusionPaths(store, seqs, covering.seq, out, pageRows, blockLeaves);
}

bool inclusionHolds(const std::vector<Row>& rows, const Checkpoint& covering,
                    const std::map<int64_t, std::vector<std::string>>& inclusion, int64_t* badSeq) {
  *badSeq = 0;
  for (const Row& r : rows) {
    auto p = inclusion.find(r.seq);
    if (p == inclusion.end()) continue;
    if (!ledger::verifyInclusion(uint64_t(r.seq - 1), uint64_t(covering.seq), ledger::merkleLeaf(r.rowHash), p->second,
                                 covering.root))
      return *badSeq = r.seq, false;
  }
  return true;
}

}  // namespace server
}  // namespace kelisim
