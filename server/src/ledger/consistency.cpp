// The consistency document and its check. See consistency.h.
#include "ledger/consistency.h"

#include <algorithm>

#include "core/ledger.h"
#include "ledger/export.h"
#include "ledger/json_access.h"
#include "ledger/proof.h"
#include "ledger/verify.h"
#include "ledger/views.h"

namespace kelisim {
namespace server {

namespace {
using ojson = nlohmann::ordered_json;

std::string named(const Checkpoint& c) {
  return "the checkpoint at seq " + std::to_string(c.seq) + " (at " + std::to_string(c.at) + ")";
}
}  // namespace

ojson buildConsistency(const Checkpoint& from, const Checkpoint& to, const std::vector<std::string>& path,
                       const std::string& publicKeyHex, const std::vector<Checkpoint>& keyRotations, int64_t nowMs) {
  ojson doc = {{"format", kConsistencyFormat},
               {"generatedAt", nowMs},
               {"generatedAtIso", isoUtc(nowMs)},
               {"from", checkpointJson(from)},
               {"to", checkpointJson(to)},
               {"path", path},
               {"publicKey", publicKeyHex}};
  if (!keyRotations.empty()) doc["keyRotations"] = keyRotationsJson(keyRotations);
  doc["notes"] = {
      "from and to are signed checkpoints of one ledger: each signs \"kelisim-ledger-checkpoint/2\\n\" seq, head, at and "
      "root, one per line, where root is the Merkle tree hash of rows 1..seq (leaf: SHA-256(0x00 || rowHash), node: "
      "SHA-256(0x01 || left || right), RFC 9162 §2.1).",
      "path is the consistency proof between the trees of from.seq and to.seq rows (RFC 9162 §2.1.4.1); checked as RFC "
      "9162 §2.1.4.2 says, it shows that to's ledger starts with from's rows, unchanged, without the rows themselves.",
      "Check it with: kelisim-server verify --consistency FILE --public-key <the ledger's key> [--old <a checkpoint you "
      "kept>]."};
  return doc;
}

bool verifyConsistencyProof(const std::string& json, const std::string& publicKeyHex, std::string* why,
                            ConsistencyProof* out) {
  ConsistencyProof local;
  ConsistencyProof& p = out ? *out : local;
  p = ConsistencyProof();
  // A few levels deep at most; a document nested thousands deep is refused before parsing.
  if (!depthWithin(json, kMaxConsistencyDepth))
    return *why = "the document is nested deeper than a consistency proof is", false;
  ojson doc = ojson::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return *why = "the document is not a JSON object", false;
  if (jstr(doc, "format") != kConsistencyFormat)
    return *why = std::string("format is not ") + kConsistencyFormat, false;
  if (!checkpointFromJson(jget(doc, "from"), &p.from)) return *why = "from is not a checkpoint", false;
  if (!checkpointFromJson(jget(doc, "to"), &p.to)) return *why = "to is not a checkpoint", false;
  const ojson& path = jget(doc, "path");
  if (!path.is_array()) return *why = "path is not an array of hashes", false;
  for (const ojson& h : path) {
    if (!h.is_string()) return *why = "path is not an array of hashes", false;
    p.path.push_back(h.get<std::string>());
  }
  const ojson& history = jget(doc, "keyRotations");
  if (!history.is_null() && !history.is_array()) return *why = "keyRotations is not an array", false;
  if (history.is_array() && !keyRotationsFromJson(history, &p.keyRotations))
    return *why = "keyRotations holds something else than a key rotation", false;

  // The keys (docs/ledger.md §4.1): the named key must be the ledger's, and each checkpoint
  // signed by the key in force at its place.
  std::vector<std::string> keys;
  int64_t badSeq = 0;
  std::string chainWhy;
  if (!checkKeyChain(p.keyRotations, &keys, &badSeq, &chainWhy)) return *why = "keyRotations: " + chainWhy, false;
  if (!keys.empty() && std::find(keys.begin(), keys.end(), publicKeyHex) == keys.end())
    return *why = "the ledger's signing keys (keyRotations) do not include the key named, " + publicKeyHex, false;
  for (const Checkpoint* c : {&p.from, &p.to}) {
    const std::string& key = keyInForceAt(p.keyRotations, keys, c->seq, c->at, publicKeyHex);
    if (c->isRotation()) {
      if (std::none_of(p.keyRotations.begin(), p.keyRotations.end(),
                       [&](const Checkpoint& r) { return sameCheckpoint(r, *c); }))
        return *why = named(*c) + " is a key rotation that keyRotations does not hold", false;
    } else if (c->publicKey != key) {
      return *why = named(*c) + " is signed by " + c->publicKey + ", not by the key in force there (" + key + ")", false;
    }
    if (!checkpointSignaturesHold(*c)) return *why = named(*c) + ": bad signature (forged or edited)", false;
    if (c->root.empty())
      return *why = named(*c) + " signs no Merkle root (written before roots): no consistency proof starts or ends there",
             false;
  }

  // RFC 9162 §2.1.4.2 (0 < first <= second).
  if (p.from.seq < 1) return *why = "from.seq must be at least 1", false;
  if (p.from.seq > p.to.seq)
    return *why = "from (seq " + std::to_string(p.from.seq) + ") is after to (seq " + std::to_string(p.to.seq) +
                  "): a consistency proof goes from an older checkpoint to a newer one",
           false;
  if (!ledger::verifyConsistency(uint64_t(p.from.seq), uint64_t(p.to.seq), p.from.root, p.to.root, p.path))
    return *why = "the path does not lead from the Merkle root at seq " + std::to_string(p.from.seq) +
                  " to the one at seq " + std::to_string(p.to.seq) +
                  ": the newer checkpoint's ledger does not extend the older one's, or the path was changed",
           false;
  *why = "";
  return true;
}

bool readKeptCheckpoint(const std::string& json, Checkpoint* out, std::string* why) {
  if (!depthWithin(json, kMaxProofDepth)) return *why = "nested deeper than a proof document is", false;
  ojson doc = ojson::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return *why = "not a JSON object", false;
  // A proof holds its covering checkpoint; a consistency document the newer of its two.
  const ojson& held = jstr(doc, "format") == kConsistencyFormat ? jget(doc, "to")
                      : doc.contains("checkpoint")              ? jget(doc, "checkpoint")
                                                                : doc;
  if (!checkpointFromJson(held, out))
    return *why = "neither a checkpoint nor a proof or consistency document holding one", false;
  return true;
}

bool sameCheckpoint(const Checkpoint& a, const Checkpoint& b) {
  return a.seq == b.seq && a.head == b.head && a.at == b.at && a.publicKey == b.publicKey &&
         a.signature == b.signature && a.root == b.root && a.prevKey == b.prevKey && a.prevSignature == b.prevSignature;
}

bool sameTree(const Checkpoint& a, const Checkpoint& b) {
  return a.seq == b.seq && a.head == b.head && !a.root.empty() && a.root == b.root;
}

}  // namespace server
}  // namespace kelisim
