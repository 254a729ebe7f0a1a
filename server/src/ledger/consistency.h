// The consistency proof between two checkpoints (GET /v1/consistency, `kelisim-server verify
// --consistency`, docs/ledger.md §4.3): that the ledger a newer checkpoint signs extends the
// one an older checkpoint signed (no row of the older tree edited, removed or reordered), shown
// without the rows. RFC 9162 §2.1.4; the hash rules are the core's (ledger::consistencyRanges,
// ledger::verifyConsistency), the rows are read by ledger/merkle.h.
//
// Document (kelisim-ledger-consistency/1), members in this order:
//   format, generatedAt(+Iso),
//   from, to: the two checkpoints as the export writes them (checkpointJson: seq, head, at,
//             publicKey, signature, root; a key rotation also prevKey and prevSignature),
//   path: the hex hashes of RFC 9162 §2.1.4.1 PROOF(from.seq, D[to.seq]), leaf i being the row
//         of seq i + 1 ([] when the seqs are equal),
//   publicKey (the server's key when it answered), keyRotations once the ledger's key was
//   rotated (the whole key history, docs/ledger.md §4.1), notes.
// It carries no signature of its own: what it states is signed already (the checkpoints, the
// key history) or checked against what is (the path, against both signed roots).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace kelisim {
namespace server {

constexpr const char* kConsistencyFormat = "kelisim-ledger-consistency/1";
/** The nesting verifyConsistencyProof accepts before parsing (the document is 3 deep). */
constexpr int kMaxConsistencyDepth = 8;

/** The document for checkpoints from and to (both with a root, from.seq <= to.seq) and the
 *  path between them (merkle.h consistencyPath). Never fails. */
nlohmann::ordered_json buildConsistency(const Checkpoint& from, const Checkpoint& to,
                                        const std::vector<std::string>& path, const std::string& publicKeyHex,
                                        const std::vector<Checkpoint>& keyRotations, int64_t nowMs);

/** What a consistency document states, as read. */
struct ConsistencyProof {
  Checkpoint from, to;
  std::vector<std::string> path;
  std::vector<Checkpoint> keyRotations;
};

/** Checks a consistency document against the operator's key publicKeyHex (64 hex): it parses
 *  (nesting at most kMaxConsistencyDepth), its keyRotations form a valid key history
 *  (checkKeyChain) that holds publicKeyHex (without rotations: both checkpoints are signed by
 *  publicKeyHex), each checkpoint is signed by the key in force at its (seq, at) (a key rotation
 *  must be one of keyRotations), both sign a Merkle root, 1 <= from.seq <= to.seq, and the path
 *  leads from from's root to to's (ledger::verifyConsistency). Returns true when valid;
 *  otherwise false and *why names what. out (optional): what was read (partly filled when
 *  refused). */
bool verifyConsistencyProof(const std::string& json, const std::string& publicKeyHex, std::string* why,
                            ConsistencyProof* out = nullptr);

/** A checkpoint an auditor kept (`verify --consistency … --old FILE`): a checkpoint object as
 *  checkpointJson writes it, or a document that holds one: a proof (its "checkpoint") or an
 *  earlier consistency document (its "to", the newer one). false and *why when it is none. */
bool readKeptCheckpoint(const std::string& json, Checkpoint* out, std::string* why);

/** True when a and b are the same signed checkpoint (every signed field and the signatures). */
bool sameCheckpoint(const Checkpoint& a, const Checkpoint& b);

/** True when a and b sign the same tree: the same seq, head and Merkle root (not ""). Two
 *  checkpoints of one seq do: a checkpoint and the key rotation written at the same head, say,
 *  and GET /v1/consistency starts from the newest of them, not necessarily the one kept. */
bool sameTree(const Checkpoint& a, const Checkpoint& b);

}  // namespace server
}  // namespace kelisim
