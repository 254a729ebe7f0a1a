// Ledger verification (verify.h, docs/ledger.md §4). Every hash rule is the core's
// (ledger::rowHash, personalHash, eventKey, checkpointMessage).
#include "ledger/verify.h"
#include "ledger/json_access.h"

#include <nlohmann/json.hpp>

#include "core/ledger.h"
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
    : publicKey_(std::move(publicKeyHex)), checkpoints_(checkpoints), nextSeq_(startSeq),
      prev_(prevHash.empty() ? std::string(ledger::kGenesis) : std::move(prevHash)) {
  for (const Checkpoint& c : checkpoints_) headAt_[c.seq] = "";
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
  auto it = headAt_.find(r.seq);
  if (it != headAt_.end()) it->second = r.rowHash;
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
  for (const Checkpoint& c : checkpoints_) {
    std::string where = "checkpoint at seq " + std::to_string(c.seq) + " (at " + std::to_string(c.at) + ")";
    if (endSeq_ >= 0 && c.seq > last) {
      fail(c.seq, where + ": names a seq beyond the last row " + std::to_string(last) + " (rows deleted at the end?)");
      return res_;
    }
    auto it = headAt_.find(c.seq);
    if (it == headAt_.end() || it->second.empty()) continue;  // outside this slice of rows
    if (c.publicKey != publicKey_) {
      fail(c.seq, where + ": signed by an unknown key " + c.publicKey);
      return res_;
    }
    if (!Signer::verifyHex(publicKey_, ledger::checkpointMessage(c.seq, c.head, c.at), c.signature)) {
      fail(c.seq, where + ": bad signature (forged or edited)");
      return res_;
    }
    if (c.head != it->second) {
      fail(c.seq, where + ": head is not the chain's row_hash at that seq");
      return res_;
    }
    ++res_.checkpoints;
  }
  res_.message = "valid: " + std::to_string(res_.rows) + " rows, " + std::to_string(res_.checkpoints) +
                 " checkpoints verified";
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
  Verifier v(publicKeyHex, cps);
  v.expectEnd(h.seq, h.hash);
  int64_t from = 1;
  // Pages by seq; a page reads from the last seq seen + 1 so that a gap shows up as a gap.
  for (;;) {
    std::vector<Row> page;
    if (!(e = store.rowsBySeq(from, 0, 2000, &page)).ok()) {
      bad.message = "cannot read rows: " + e.message;
      return bad;
    }
    if (page.empty()) break;
    for (const Row& r : page)
      if (!v.add(r)) return v.finish();
    from = page.back().seq + 1;
  }
  return v.finish();
}

}  // namespace server
}  // namespace kelisim
