// Ledger verification (verify.h, docs/ledger.md §4). Every hash rule is the core's
// (ledger::rowHash, personalHash, eventKey, checkpointMessage, rotationMessage).
#include "ledger/verify.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/ledger.h"
#include "ledger/json_access.h"
#include "ledger/merkle.h"
#include "ledger/signer.h"

namespace kelisim {
namespace server {

namespace {
using json = nlohmann::json;

/** "" when the indexed columns agree with body (and personal when present), else what differs. */
std::string columnsDisagree(const Row& r) {
  json b = json::parse(r.body, nullptr, false);
  if (b.is_discarded() || !b.is_object()) return "body is not a JSON object";
  std::string type = jstr(b, "type");
  if (r.kind != (type == "erasure" ? "erasure" : type)) return "kind '" + r.kind + "' disagrees with body.type";
  if (r.kind == "erasure") {
    if (r.op != "erasure") return "op of an erasure row must be 'erasure'";
  } else {
    if (r.kind != "change" && r.kind != "display") return "kind '" + r.kind + "' is not change/display/erasure";
    auto p = b.find("policy");
    if (p == b.end() || !p->is_object()) return "body has no policy";
    if (jstr(*p, "id") != r.policyId) return "policy_id disagrees with the body";
    if (jstr(*p, "version") != r.policyVersion) return "policy_version disagrees with the body";
    auto e = b.find(r.kind == "change" ? "event" : "display");
    if (e == b.end() || !e->is_object()) return "body has no event/display";
    std::string op = jstr(*e, r.kind == "change" ? "op" : "kind");
    if (op != r.op) return "op disagrees with the body";
    if (r.kind == "change" && jstr(*e, "method") != r.method) return "method disagrees with the body";
    if (r.kind == "display" && !r.method.empty()) return "method of a display must be empty";
    auto at = e->find("atMs");
    if (at == e->end() || !at->is_number_integer() || at->get<int64_t>() != r.clientAt)
      return "client_at disagrees with the body";
  }
  if (r.personal) {
    if (ledger::personalHash(*r.personal) != r.personalHash) return "personal_hash does not match personal";
    json p = json::parse(*r.personal, nullptr, false);
    if (p.is_discarded() || !p.is_object()) return "personal is not a JSON object";
    std::string rid = jstr(p, "recordId");
    if (!r.recordId || *r.recordId != rid) return "record_id disagrees with personal";
    if (ledger::eventKey(rid, jstr(b, "id")) != r.eventKey) return "event_key is not eventKey(recordId, id)";
    if (r.erasedAt) return "erased_at is set but personal is still there";
  } else {
    if (r.recordId) return "record_id is set but personal is gone";
    if (r.kind == "erasure") {
      if (r.personalHash != ledger::personalHash("")) return "personal_hash of an erasure row must cover nothing";
    } else if (!r.erasedAt) {
      return "personal is missing but the row is not marked erased";
    }
  }
  return "";
}
}  // namespace

Verifier::Verifier(std::string publicKeyHex, const std::vector<Checkpoint>& checkpoints, int64_t startSeq,
                   std::string prevHash)
    : publicKey_(std::move(publicKeyHex)), checkpoints_(checkpoints), whole_(startSeq == 1), nextSeq_(startSeq),
      prev_(prevHash.empty() ? std::string(ledger::kGenesis) : std::move(prevHash)) {
  for (const Checkpoint& c : checkpoints_) headAt_[c.seq] = "";
  setKeyHistory(checkpoints_);
}

void Verifier::setKeyHistory(const std::vector<Checkpoint>& rotations) {
  auto before = [](const Checkpoint& a, const Checkpoint& b) { return std::tie(a.seq, a.at) < std::tie(b.seq, b.at); };
  for (const Checkpoint& c : rotations) {
    if (!c.isRotation()) continue;
    auto it = std::lower_bound(rotations_.begin(), rotations_.end(), c, before);
    if (it == rotations_.end() || before(c, *it)) {
      rotations_.insert(it, c);
    } else if (it->head != c.head || it->publicKey != c.publicKey || it->signature != c.signature ||
               it->prevKey != c.prevKey || it->prevSignature != c.prevSignature || it->root != c.root) {
      // The same rotation twice (an export's checkpoint line and its header), not alike.
      if (conflictSeq_ == 0) conflictSeq_ = c.seq;
    }
  }
}

const std::string& keyInForceAt(const std::vector<Checkpoint>& rotations, const std::vector<std::string>& keys,
                                int64_t seq, int64_t at, const std::string& onlyKey) {
  const std::string* key = rotations.empty() || keys.empty() ? &onlyKey : &keys.front();
  for (const Checkpoint& r : rotations) {
    if (std::tie(r.seq, r.at) > std::tie(seq, at)) break;
    key = &r.publicKey;
  }
  return *key;
}

const std::string& Verifier::keyInForce(int64_t seq, int64_t at) const {
  return keyInForceAt(rotations_, keys_, seq, at, publicKey_);
}

bool checkpointSignaturesHold(const Checkpoint& c) {
  if (!c.isRotation())
    return Signer::verifyHex(c.publicKey, ledger::checkpointMessage(c.seq, c.head, c.at, c.root), c.signature);
  std::string msg = ledger::rotationMessage(c.seq, c.head, c.at, c.root, c.prevKey, c.publicKey);
  return Signer::verifyHex(c.publicKey, msg, c.signature) && Signer::verifyHex(c.prevKey, msg, c.prevSignature);
}

namespace {
std::string shortKey(const std::string& k) { return k.substr(0, 16) + "…"; }
}  // namespace

bool checkKeyChain(const std::vector<Checkpoint>& rotations, std::vector<std::string>* keys, int64_t* badSeq,
                   std::string* why) {
  keys->clear();
  if (rotations.empty()) return true;
  keys->push_back(rotations.front().prevKey);
  for (const Checkpoint& r : rotations) {
    std::string where = "key rotation at seq " + std::to_string(r.seq) + " (at " + std::to_string(r.at) + ")";
    *badSeq = r.seq;
    if (r.prevKey != keys->back())
      return *why = where + ": hands over from key " + r.prevKey + ", but the key in force there is " + keys->back() +
                    " (a rotation is missing or forged)",
             false;
    std::string msg = ledger::rotationMessage(r.seq, r.head, r.at, r.root, r.prevKey, r.publicKey);
    if (!Signer::verifyHex(r.prevKey, msg, r.prevSignature))
      return *why = where + ": bad signature of the old key " + r.prevKey + " (forged or edited)", false;
    if (!Signer::verifyHex(r.publicKey, msg, r.signature))
      return *why = where + ": bad signature of the new key " + r.publicKey + " (forged or edited)", false;
    keys->push_back(r.publicKey);
  }
  *badSeq = 0;
  return true;
}

bool Verifier::checkKeyHistory() {
  if (conflictSeq_)
    return fail(conflictSeq_, "key rotation at seq " + std::to_string(conflictSeq_) +
                                  ": given twice, and the two differ (edited)");
  int64_t badSeq = 0;
  std::string why;
  if (!checkKeyChain(rotations_, &keys_, &badSeq, &why)) return fail(badSeq, why);
  if (keys_.empty() || std::find(keys_.begin(), keys_.end(), publicKey_) != keys_.end()) return true;
  std::string keys;
  for (const std::string& k : keys_) keys += (keys.empty() ? "" : " → ") + shortKey(k);
  return fail(rotations_.front().seq, "the ledger's signing keys (" + keys + ") do not include the key named, " +
                                          publicKey_ + ": checkpoints signed by keys nobody vouched for");
}

bool Verifier::fail(int64_t seq, std::string msg) {
  res_.valid = false;
  res_.firstBadSeq = seq;
  res_.message = std::move(msg);
  return false;
}

bool Verifier::add(const Row& r) {
  if (!res_.valid) return false;
  if (r.seq != nextSeq_) {
    if (r.seq > nextSeq_)
      return fail(nextSeq_, "row " + std::to_string(nextSeq_) + " is missing (the next row is seq " +
                                std::to_string(r.seq) + "): deleted");
    return fail(r.seq, "row seq " + std::to_string(r.seq) + " is out of order or repeated (expected " +
                           std::to_string(nextSeq_) + ")");
  }
  std::string expect = ledger::rowHash(prev_, r.seq, r.serverAt, r.eventKey, r.personalHash, r.body);
  if (expect != r.rowHash)
    return fail(r.seq, "row " + std::to_string(r.seq) +
                           ": row_hash does not match its contents and the previous row (edited, inserted or reordered)");
  std::string cols = columnsDisagree(r);
  if (!cols.empty()) return fail(r.seq, "row " + std::to_string(r.seq) + ": " + cols);
  if (whole_) tree_.push(ledger::merkleLeaf(r.rowHash));
  auto it = headAt_.find(r.seq);
  if (it != headAt_.end()) {
    it->second = r.rowHash;
    if (whole_) rootAt_[r.seq] = tree_.root();
  }
  prev_ = r.rowHash;
  ++nextSeq_;
  ++res_.rows;
  return true;
}

VerifyResult Verifier::finish() {
  if (!res_.valid) return res_;
  int64_t last = nextSeq_ - 1;
  if (endSeq_ >= 0 && last != endSeq_) {
    fail(last + 1, "the rows end at seq " + std::to_string(last) + " but the head is at seq " + std::to_string(endSeq_) +
                       (endSeq_ > last ? ": rows deleted at the end" : ""));
    return res_;
  }
  if (endSeq_ >= 0 && !endHash_.empty() && last > 0 && prev_ != endHash_) {
    fail(last, "the last row's row_hash is not the head's hash");
    return res_;
  }
  if (!checkKeyHistory()) return res_;
  for (const Checkpoint& c : checkpoints_) {
    std::string where = (c.isRotation() ? "key rotation at seq " : "checkpoint at seq ") + std::to_string(c.seq) +
                        " (at " + std::to_string(c.at) + ")";
    if (endSeq_ >= 0 && c.seq > last) {
      fail(c.seq, where + ": names a seq beyond the last row " + std::to_string(last) + " (rows deleted at the end?)");
      return res_;
    }
    // A rotation's two signatures were checked with the key history; an ordinary checkpoint
    // must be signed by the key in force at its place.
    const std::string& key = keyInForce(c.seq, c.at);
    if (!c.isRotation() && c.publicKey != key) {
      bool known = std::find(keys_.begin(), keys_.end(), c.publicKey) != keys_.end();
      fail(c.seq, where + (known ? ": signed by key " + c.publicKey + ", which is not the key in force there (" + key +
                                       "): an old key used after its rotation, or a rotation removed"
                                 : ": signed by an unknown key " + c.publicKey));
      return res_;
    }
    if (!c.isRotation() && !Signer::verifyHex(key, ledger::checkpointMessage(c.seq, c.head, c.at, c.root), c.signature)) {
      fail(c.seq, where + ": bad signature (forged or edited)");
      return res_;
    }
    auto it = headAt_.find(c.seq);
    if (it == headAt_.end() || it->second.empty()) continue;  // outside this slice of rows
    if (c.head != it->second) {
      fail(c.seq, where + ": head is not the chain's row_hash at that seq");
      return res_;
    }
    auto root = rootAt_.find(c.seq);
    if (!c.root.empty() && root != rootAt_.end() && c.root != root->second) {
      fail(c.seq, where + ": its Merkle root is not the tree of rows 1.." + std::to_string(c.seq));
      return res_;
    }
    ++res_.checkpoints;
  }
  res_.message = "valid: " + std::to_string(res_.rows) + " rows, " + std::to_string(res_.checkpoints) +
                 " checkpoints verified";
  if (!rotations_.empty()) {
    res_.message += "; signing keys " + shortKey(keys_.front());
    for (const Checkpoint& r : rotations_) res_.message += " → " + shortKey(r.publicKey) + " (seq " + std::to_string(r.seq) + ")";
  }
  return res_;
}

VerifyResult verifyRows(const std::vector<Row>& rows, const std::vector<Checkpoint>& checkpoints,
                        const std::string& publicKeyHex, int64_t startSeq, const std::string& prevHash) {
  Verifier v(publicKeyHex, checkpoints, startSeq, prevHash);
  for (const Row& r : rows)
    if (!v.add(r)) break;
  return v.finish();
}

VerifyResult verifyStore(Store& store, const std::string& publicKeyHex) {
  VerifyResult bad;
  bad.valid = false;
  std::vector<Checkpoint> cps;
  StoreError e = store.checkpoints(&cps);
  if (!e.ok()) {
    bad.message = "cannot read checkpoints: " + e.message;
    return bad;
  }
  Head h;
  if (!(e = store.head(&h)).ok()) {
    bad.message = "cannot read the ledger head: " + e.message;
    return bad;
  }
  // The stored Merkle blocks (docs/ledger.md §4.4), by size then number: each is recomputed
  // from its rows as they pass. Not signed, but a proof is built from them, so an edited one
  // is named here even though the routes refuse what it would make (409).
  std::vector<MerkleBlock> stored;
  if (!(e = store.merkleBlocks(0, 0, 0, &stored)).ok()) {
    bad.message = "cannot read the Merkle blocks: " + e.message;
    return bad;
  }
  std::map<int64_t, std::map<int64_t, std::string>> blocks;  // leaves → block → stored hash
  for (MerkleBlock& b : stored) blocks[b.leaves][b.block] = std::move(b.hash);
  std::map<int64_t, ledger::MerkleFrontier> building;        // leaves → the current block's tree
  std::string blockBad;                                      // the first block that is wrong
  int64_t blockBadSeq = 0;
  auto where = [](int64_t leaves, int64_t block) {
    return "Merkle block " + std::to_string(block) + " (rows " + std::to_string(block * leaves + 1) + ".." +
           std::to_string((block + 1) * leaves) + ", blocks of " + std::to_string(leaves) + ")";
  };
  auto checkBlocks = [&](const Row& r) {
    std::string leaf;
    for (auto& [leaves, hashes] : blocks) {
      if (!isMerkleBlockSize(leaves)) continue;
      int64_t k = (r.seq - 1) / leaves;
      if (hashes.lower_bound(k) == hashes.end()) continue;  // no block stored from here on
      if (leaf.empty()) leaf = ledger::merkleLeaf(r.rowHash);
      ledger::MerkleFrontier& t = building[leaves];
      t.push(leaf);
      if (int64_t(t.size()) < leaves) continue;
      auto it = hashes.find(k);
      if (it != hashes.end() && it->second != t.root() && blockBad.empty()) {
        blockBad = where(leaves, k) + ": its hash is not the tree of those rows (edited)";
        blockBadSeq = k * leaves + 1;
      }
      if (it != hashes.end()) hashes.erase(it);
      t = ledger::MerkleFrontier();
    }
  };
  Verifier v(publicKeyHex, cps);
  v.expectEnd(h.seq, h.hash);
  e = eachPage(store, 1, 0, 2000, [&](std::vector<Row>& page) {
    for (const Row& r : page) {
      if (!v.add(r)) return false;  // the first problem found: finish() reports it
      if (!blocks.empty()) checkBlocks(r);
    }
    return true;
  });
  if (!e.ok()) {
    bad.message = "cannot read rows: " + e.message;
    return bad;
  }
  VerifyResult res = v.finish();
  if (!res.valid) return res;
  // A block never checked: of no valid size, or beyond the last row.
  for (const auto& [leaves, hashes] : blocks)
    if (blockBad.empty() && !hashes.empty()) {
      int64_t k = hashes.begin()->first;
      blockBad = where(leaves, k) + (isMerkleBlockSize(leaves) ? ": lies beyond the last row " + std::to_string(h.seq)
                                                               : ": the block size is not a power of two");
      blockBadSeq = std::max<int64_t>(1, k * std::max<int64_t>(leaves, 0) + 1);
    }
  if (!blockBad.empty()) {
    res.valid = false;
    res.firstBadSeq = blockBadSeq;
    res.message = blockBad;
  }
  return res;
}

}  // namespace server
}  // namespace kelisim
