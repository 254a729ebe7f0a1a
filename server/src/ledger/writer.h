// The ledger's single writer thread (docs/ledger.md §2, §4): HTTP threads submit checked rows
// and wait; the writer takes everything queued (up to kMaxGroupRows rows) into ONE
// Store::append (group commit), so one fsync covers many requests. It also writes the signed
// checkpoints: every checkpointSeconds when the head moved, and one at stop().
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/ledger.h"
#include "ledger/merkle.h"
#include "store/store.h"

namespace kelisim {
namespace server {

class Signer;

/** The Sealer every append uses: ledger::rowHash(prev, seq, serverAt, eventKey, personalHash, body). */
std::string sealRow(const std::string& prevHash, int64_t seq, int64_t serverAt, const NewRow& row);

/** Key rotation (docs/ledger.md §4.1): hands the ledger from `old` to `next` with one
 *  cross-signed checkpoint at the current head (Signer::rotationTo), at max(now, the newest
 *  checkpoint's at + 1) so that it sorts after every checkpoint of the old key. Refuses (an
 *  error naming why, nothing written) when the newest checkpoint is not signed by `old`, when
 *  the two keys are the same, or when the ledger has neither rows nor checkpoints (nothing to
 *  hand over: start the server with the new key). *out: the rotation written. */
StoreError rotateKey(Store& store, const Signer& old, const Signer& next, int64_t now, Checkpoint* out);

/** ok when `signer` may write the ledger's next checkpoint: the newest checkpoint (`latest`,
 *  nullptr when there is none) is signed by it, or there is none. Otherwise an error that names
 *  the ledger's key and how to go on. */
StoreError checkSigningKey(const Checkpoint* latest, const Signer& signer);

struct SubmitResult {
  StoreError error;                  // !ok: nothing of these rows was committed
  std::vector<AppendResult> results; // per submitted row, in order (when ok)
};

class Writer {
 public:
  static constexpr size_t kMaxGroupRows = 1000;

  /** store and signer must outlive the writer. now() gives epoch ms. */
  Writer(Store& store, const Signer& signer, std::function<int64_t()> now, int checkpointSeconds);
  ~Writer();  // stop()

  /** Starts the thread. Reads the newest checkpoint so a restart does not re-sign; refuses a
   *  signer whose key is not the ledger's key in force (checkSigningKey). */
  StoreError start();
  /** Blocks until the rows are durably committed (or failed). After stop(): an error. */
  SubmitResult submit(std::vector<NewRow> rows);
  /** Finishes everything queued, writes a final checkpoint when the head moved since the
   *  last one, joins the thread. Idempotent. */
  void stop();
  /** Writes a checkpoint now if the head moved since the last one (the writer's thread, after
   *  stop(), or an HTTP thread: GET /v1/proof asks for one). Writes none, and says so once on stderr, once the ledger's key was rotated
   *  away from this writer's (kelisim-server rotate-key while it runs). */
  StoreError checkpointIfMoved();
  /** The leaves of the Merkle blocks it stores before each checkpoint (merkle.h
   *  storeMerkleBlocks; default kMerkleBlockLeaves, tests use smaller ones; not a block size:
   *  none). Before start(). */
  void setMerkleBlockLeaves(int64_t leaves) { blockLeaves_ = leaves; }
  /** Seq of the last checkpoint written (0 = none). */
  int64_t lastCheckpointSeq() const;

 private:
  struct Job;
  void run();
  void commit(std::vector<std::shared_ptr<Job>>& jobs);
  StoreError storeBlocks(int64_t seq);  // storeMerkleBlocks up to seq, then blocksSeq_

  Store& store_;
  const Signer& signer_;
  std::function<int64_t()> now_;
  int checkpointSeconds_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
  int64_t lastCheckpointSeq_ = 0;
  int64_t lastCheckpointAt_ = 0;
  bool rotatedAway_ = false;
  ledger::MerkleFrontier frontier_;  // the tree of the rows up to the last checkpoint written or seen
  int64_t blockLeaves_ = kMerkleBlockLeaves;
  int64_t blocksSeq_ = 0;  // the Merkle blocks within rows 1..blocksSeq_ are stored
};

}  // namespace server
}  // namespace kelisim
