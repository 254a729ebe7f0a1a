// The single writer thread with group commit, and the checkpointer (writer.h).
#include "ledger/writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/ledger.h"
#include "ledger/merkle.h"
#include "ledger/signer.h"

namespace kelisim {
namespace server {

std::string sealRow(const std::string& prevHash, int64_t seq, int64_t serverAt, const NewRow& row) {
  return ledger::rowHash(prevHash, seq, serverAt, row.eventKey, row.personalHash, row.body);
}

struct Writer::Job {
  std::vector<NewRow> rows;
  SubmitResult result;
  bool done = false;
};

Writer::Writer(Store& store, const Signer& signer, std::function<int64_t()> now, int checkpointSeconds)
    : store_(store), signer_(signer), now_(std::move(now)), checkpointSeconds_(checkpointSeconds) {}

Writer::~Writer() { stop(); }

StoreError checkSigningKey(const Checkpoint* latest, const Signer& signer) {
  if (!latest || latest->publicKey == signer.publicKeyHex()) return {};
  return StoreError{"the ledger's signing key is " + latest->publicKey + " (its newest checkpoint, seq " +
                    std::to_string(latest->seq) + (latest->isRotation() ? ", a key rotation" : "") +
                    "), not this key " + signer.publicKeyHex() +
                    ": start with the ledger's key file, or hand the ledger over to this key first "
                    "(kelisim-server rotate-key --db … --key OLD --new-key NEW)",
                    false};
}

StoreError rotateKey(Store& store, const Signer& old, const Signer& next, int64_t now, Checkpoint* out) {
  if (old.publicKeyHex() == next.publicKeyHex())
    return StoreError{"the new key is the old key (" + old.publicKeyHex() + "): nothing to rotate", false};
  Checkpoint latest;
  bool found = false;
  Head h;
  StoreError e = store.latestCheckpoint(&latest, &found);
  if (e.ok()) e = store.head(&h);
  if (!e.ok()) return e;
  if (found && latest.publicKey == next.publicKeyHex())
    return StoreError{"the ledger is already signed by the new key " + next.publicKeyHex() + " (seq " +
                          std::to_string(latest.seq) + ")",
                      false};
  if (found && latest.publicKey != old.publicKeyHex())
    return StoreError{"the ledger's signing key is " + latest.publicKey + " (its newest checkpoint, seq " +
                          std::to_string(latest.seq) + "), not the old key given " + old.publicKeyHex(),
                      false};
  if (!found && h.seq == 0)
    return StoreError{"the ledger is empty (no rows, no checkpoints): nothing to hand over; start the server with the new key",
                      false};
  int64_t at = found ? std::max(now, latest.at + 1) : now;
  ledger::MerkleFrontier tree;
  if (!(e = frontierAt(store, h.seq, found ? &latest : nullptr, &tree)).ok()) return e;
  Checkpoint r = old.rotationTo(next, h.seq, h.hash, at, tree.root());
  r.frontier = tree.text();
  if (!(e = store.addCheckpoint(r)).ok()) return e;
  // SQLite's INSERT OR IGNORE drops a row whose (seq, at) exists: read it back.
  Checkpoint back;
  if (!(e = store.latestCheckpoint(&back, &found)).ok()) return e;
  if (!found || back.publicKey != r.publicKey || back.prevKey != r.prevKey || back.signature != r.signature)
    return StoreError{"the rotation was not stored (another checkpoint was written at the same moment): run it again",
                      false};
  *out = r;
  return {};
}

StoreError Writer::start() {
  Checkpoint latest;
  bool found = false;
  StoreError e = store_.latestCheckpoint(&latest, &found);
  if (e.ok()) e = checkSigningKey(found ? &latest : nullptr, signer_);
  if (!e.ok()) return e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (found && latest.seq >= lastCheckpointSeq_) lastCheckpointSeq_ = latest.seq;
    lastCheckpointAt_ = now_();
    started_ = true;
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

SubmitResult Writer::submit(std::vector<NewRow> rows) {
  auto job = std::make_shared<Job>();
  job->rows = std::move(rows);
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || !started_) {
    job->result.error = StoreError{"the server is shutting down", true};
    return job->result;
  }
  queue_.push_back(job);
  cv_.notify_all();
  cv_.wait(lock, [&] { return job->done; });
  return std::move(job->result);
}

void Writer::run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    // Wake at least every second to see whether a checkpoint is due.
    cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
    if (!queue_.empty()) {
      // Group commit: everything queued, up to kMaxGroupRows rows (at least one job).
      std::vector<std::shared_ptr<Job>> jobs;
      size_t n = 0;
      while (!queue_.empty() && (jobs.empty() || n + queue_.front()->rows.size() <= kMaxGroupRows)) {
        n += queue_.front()->rows.size();
        jobs.push_back(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      commit(jobs);
      lock.lock();
      for (auto& j : jobs) j->done = true;
      cv_.notify_all();
    } else if (stopping_) {
      break;
    }
    if (checkpointSeconds_ > 0 && now_() - lastCheckpointAt_ >= int64_t(checkpointSeconds_) * 1000) {
      lock.unlock();
      checkpointIfMoved();
      lock.lock();
    }
  }
}

void Writer::commit(std::vector<std::shared_ptr<Job>>& jobs) {
  std::vector<NewRow> all;
  for (auto& j : jobs) all.insert(all.end(), j->rows.begin(), j->rows.end());
  std::vector<AppendResult> results;
  StoreError e = store_.append(all, now_(), sealRow, &results);
  if (e.ok() && results.size() != all.size()) e = StoreError{"store returned the wrong number of results", false};
  size_t at = 0;
  for (auto& j : jobs) {
    j->result.error = e;
    if (e.ok()) j->result.results.assign(results.begin() + long(at), results.begin() + long(at + j->rows.size()));
    at += j->rows.size();
  }
}

StoreError Writer::checkpointIfMoved() {
  Head h;
  StoreError e = store_.head(&h);
  int64_t now = now_();
  int64_t blocksDue = 0;  // the head did not move, but the blocks lag behind the last checkpoint
  {
    std::lock_guard<std::mutex> lock(mu_);
    lastCheckpointAt_ = now;
    if (!e.ok() || h.seq == 0 || rotatedAway_) return e;
    if (h.seq <= lastCheckpointSeq_) {
      if (blocksSeq_ >= lastCheckpointSeq_) return e;
      blocksDue = lastCheckpointSeq_;
    }
  }
  // A ledger from before the Merkle blocks (migration 003) whose head stays put: its blocks
  // are filled here, once, instead of at the next checkpoint.
  if (blocksDue) return storeBlocks(blocksDue);
  Checkpoint latest;
  bool found = false;
  if (!(e = store_.latestCheckpoint(&latest, &found)).ok()) return e;
  // A rotation written while this writer runs: sign nothing more with the old key (a
  // checkpoint of the old key after its rotation would make the ledger invalid).
  if (!(e = checkSigningKey(found ? &latest : nullptr, signer_)).ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    rotatedAway_ = true;
    std::fprintf(stderr, "kelisim-server: no more checkpoints from this server: %s\n", e.message.c_str());
    return e;
  }
  // The Merkle root of rows 1..head: go on from this writer's tree, or from the newest
  // checkpoint's when another server on the database wrote one further along.
  ledger::MerkleFrontier tree;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tree = frontier_;
  }
  if (!(e = frontierAt(store_, h.seq, found ? &latest : nullptr, &tree)).ok()) return e;
  // The blocks of the rows it covers go before the checkpoint: a proof under it finds them all.
  if (!(e = storeBlocks(h.seq)).ok()) return e;
  Checkpoint c = signer_.checkpoint(h.seq, h.hash, now, tree.root());
  c.frontier = tree.text();
  e = store_.addCheckpoint(c);
  if (e.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    lastCheckpointSeq_ = h.seq;
    frontier_ = std::move(tree);
  }
  return e;
}

StoreError Writer::storeBlocks(int64_t seq) {
  StoreError e = storeMerkleBlocks(store_, seq, blockLeaves_);
  if (e.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    blocksSeq_ = std::max(blocksSeq_, seq);
  }
  return e;
}

int64_t Writer::lastCheckpointSeq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lastCheckpointSeq_;
}

void Writer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stopping_) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  checkpointIfMoved();
}

}  // namespace server
}  // namespace kelisim
