// Verification of a ledger (docs/ledger.md §4): rows in seq order, the checkpoints, the
// operator's public key → valid, or the first bad position. Used by `kelisim-server verify`
// (--db or --export) and by the tests.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/ledger.h"
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
 *  personal_hash matches personal unless erased. Per checkpoint: signed by the key in force at
 *  its (seq, at), head = the chain's row_hash at its seq (when its seq lies within the rows),
 *  and its Merkle root (docs/ledger.md §4.2) = the tree of rows 1..seq (when the rows start at
 *  seq 1; a slice cannot recompute it, its signature still covers it).
 *
 *  Keys (docs/ledger.md §4.1): without key rotations every checkpoint must be signed by
 *  publicKeyHex. With rotations (the checkpoints that carry a prevKey, among `checkpoints` or
 *  given by setKeyHistory), the key history is first key → each rotation's new key: every
 *  rotation must hand over from the key in force and carry both keys' signatures, and the
 *  named publicKeyHex must be one of the history's keys (each of them vouches for the others
 *  through those signatures). */
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
  /** Rotations beyond `checkpoints`: an export's or a proof's whole key history, which may
   *  lie outside its rows (their heads are then not checked, their signatures are). */
  void setKeyHistory(const std::vector<Checkpoint>& rotations);
  /** Returns false once a problem was found (the rest is ignored). */
  bool add(const Row& r);
  VerifyResult finish();

 private:
  bool fail(int64_t seq, std::string msg);
  bool checkKeyHistory();
  /** The key that must have signed a checkpoint at (seq, at). */
  const std::string& keyInForce(int64_t seq, int64_t at) const;
  std::string publicKey_;
  std::vector<Checkpoint> checkpoints_;
  std::vector<Checkpoint> rotations_;  // (seq, at) order, no duplicates
  std::vector<std::string> keys_;      // the key history: the first key, then each rotation's new key
  int64_t conflictSeq_ = 0;            // a rotation given twice with different contents
  std::map<int64_t, std::string> headAt_;  // row_hash at the seqs checkpoints name
  std::map<int64_t, std::string> rootAt_;  // the Merkle root of rows 1..seq there (whole chains only)
  ledger::MerkleFrontier tree_;            // the rows so far, when they start at seq 1
  bool whole_;                             // the rows start at seq 1: roots can be checked
  int64_t nextSeq_;
  std::string prev_;
  int64_t endSeq_ = -1;  // -1: unknown (a slice)
  std::string endHash_;
  VerifyResult res_;
};

/** A ledger's key history (docs/ledger.md §4.1): its key rotations in (seq, at) order. true when
 *  each hands over from the key in force (the previous rotation's new key) and carries valid
 *  signatures of both keys over ledger::rotationMessage; *keys is then the first key followed
 *  by each rotation's new key (empty for no rotations). Otherwise false, with the rotation's
 *  seq in *badSeq and what is wrong in *why. */
bool checkKeyChain(const std::vector<Checkpoint>& rotations, std::vector<std::string>* keys, int64_t* badSeq,
                   std::string* why);

/** The key that must sign an ordinary checkpoint at (seq, at) under a key history (rotations
 *  in (seq, at) order, keys as checkKeyChain gave them): the first key before any rotation, then
 *  the newest rotation's new key at or before (seq, at). `onlyKey` when there are no rotations. */
const std::string& keyInForceAt(const std::vector<Checkpoint>& rotations, const std::vector<std::string>& keys,
                                int64_t seq, int64_t at, const std::string& onlyKey);

/** True when c's signatures hold over its own fields: an ordinary checkpoint's by c.publicKey
 *  over ledger::checkpointMessage, a key rotation's by both of its keys over
 *  ledger::rotationMessage. Whose keys those are is the caller's to check. */
bool checkpointSignaturesHold(const Checkpoint& c);

/** Convenience over vectors. */
VerifyResult verifyRows(const std::vector<Row>& rows, const std::vector<Checkpoint>& checkpoints,
                        const std::string& publicKeyHex, int64_t startSeq = 1, const std::string& prevHash = "");
/** Reads the whole store in pages and verifies it. */
VerifyResult verifyStore(Store& store, const std::string& publicKeyHex);

}  // namespace server
}  // namespace kelisim
