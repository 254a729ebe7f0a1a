// Verification of a ledger (docs/ledger.md §4): rows in seq order, the checkpoints, the
// operator's public key → valid, or the first bad position. Used by `kelisim-server verify`
// (--db or --export) and by the tests.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/store.h"

namespace kelisim {
namespace server {

struct VerifyResult {
  bool valid = true;
  int64_t firstBadSeq = 0;   // the first bad row's (or checkpoint's) seq; 0 when valid
  std::string message;       // what is wrong there, or a summary when valid
  int64_t rows = 0, checkpoints = 0;
};

/** Streaming verifier: add() rows in seq order, then finish(). startSeq/prevHash: where the
 *  rows begin (1 and ledger::kGenesis for a whole ledger; a slice gives its first seq and the
 *  row_hash before it). Checks, per row: seq continues without a gap, row_hash = rowHash(prev,
 *  …) (edited, inserted, reordered rows), the columns agree with body and personal,
 *  personal_hash matches personal unless erased. Per checkpoint: signed by publicKeyHex,
 *  public_key is that key, head = the chain's row_hash at its seq. */
class Verifier {
 public:
  Verifier(std::string publicKeyHex, const std::vector<Checkpoint>& checkpoints, int64_t startSeq = 1,
           std::string prevHash = "");
  /** The chain must end exactly at seq endSeq with row_hash endHash (the stored head, or an
   *  export's header); checkpoints beyond it are then errors, not "outside the slice". */
  void expectEnd(int64_t endSeq, std::string endHash) {
    endSeq_ = endSeq;
    endHash_ = std::move(endHash);
  }
  /** Returns false once a problem was found (the rest is ignored). */
  bool add(const Row& r);
  VerifyResult finish();

 private:
  bool fail(int64_t seq, std::string msg);
  std::string publicKey_;
  std::vector<Checkpoint> checkpoints_;
  std::map<int64_t, std::string> headAt_;  // row_hash at the seqs checkpoints name
  int64_t nextSeq_;
  std::string prev_;
  int64_t endSeq_ = -1;  // -1: unknown (a slice)
  std::string endHash_;
  VerifyResult res_;
};

/** Convenience over vectors. */
VerifyResult verifyRows(const std::vector<Row>& rows, const std::vector<Checkpoint>& checkpoints,
                        const std::string& publicKeyHex, int64_t startSeq = 1, const std::string& prevHash = "");
/** Reads the whole store in pages and verifies it. */
VerifyResult verifyStore(Store& store, const std::string& publicKeyHex);

}  // namespace server
}  // namespace kelisim
