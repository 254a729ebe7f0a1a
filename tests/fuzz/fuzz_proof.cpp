// Fuzz target: what a ledger operator or auditor is handed from outside (docs/ledger.md §4–5):
// a proof document (POST /v1/proof/verify, `kelisim-server verify --proof`), a ledger export
// (`verify --export`) and a consistency document (`verify --consistency`, §4.3). The first
// byte picks which (mod 3). Invariants: never a crash, hang or abort (nlohmann runs without
// exceptions; a deeply nested document must be refused, not recursed into); a refusal always
// says why; a proof that verifies names its key; an export that reads verifies to an answer
// with a message, and an invalid one names a position; a consistency document whose
// checkpoints are signed again by a key the harness holds is valid exactly when the core's
// verifyConsistency accepts its seqs, roots and path (so the fuzzer gets past the signatures).
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/ledger.h"
#include "fuzz_util.h"
#include "ledger/consistency.h"
#include "ledger/json_access.h"
#include "ledger/signer.h"
#include "ledger/export.h"
#include "ledger/proof.h"
#include "ledger/verify.h"

using namespace kelisim;
using namespace kelisim::server;

namespace {
/** A fixed Ed25519 key (seed 0x2a…) that re-signs a consistency document's checkpoints. */
const Signer& fuzzKey() {
  static std::unique_ptr<Signer> key = [] {
    unsigned char pk[32], sk[64], seed[32];
    if (sodium_init() < 0) std::abort();
    for (unsigned char& b : seed) b = 0x2a;
    crypto_sign_seed_keypair(pk, sk, seed);
    return Signer::fromSecretKey(sk);
  }();
  return *key;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 3 == 2) {
    // Checked against the key its older checkpoint names, so that the checks past "whose key"
    // run; the seeds' signatures are not real, so the core's path check also runs on its own.
    ConsistencyProof p;
    std::string why;
    verifyConsistencyProof(text, "", &why, &p);
    bool valid = verifyConsistencyProof(text, p.from.publicKey, &why, &p);
    FUZZ_CHECK(valid == why.empty(), "a refusal without a reason, or a reason with a valid document");
    FUZZ_CHECK(fuzz::validUtf8(why) || !valid, "reason is not valid UTF-8");
    bool pathOk = ledger::verifyConsistency(uint64_t(p.from.seq), uint64_t(p.to.seq), p.from.root, p.to.root, p.path);
    FUZZ_CHECK(!valid || pathOk, "a valid document whose path the core refuses");
    FUZZ_CHECK(!pathOk || p.from.seq != p.to.seq || p.path.empty(), "a non-empty path between equal sizes");
    // The same document with both checkpoints signed by a key (without key history): then the
    // answer must be exactly the core's, on the fuzzer's seqs, roots and path.
    if (!depthWithin(text, kMaxConsistencyDepth)) return 0;
    ojson doc = ojson::parse(text, nullptr, false);
    Checkpoint a, b;
    if (!checkpointFromJson(jget(doc, "from"), &a) || !checkpointFromJson(jget(doc, "to"), &b)) return 0;
    doc["from"] = checkpointJson(fuzzKey().checkpoint(a.seq, a.head, a.at, a.root));
    doc["to"] = checkpointJson(fuzzKey().checkpoint(b.seq, b.head, b.at, b.root));
    doc.erase("keyRotations");
    valid = verifyConsistencyProof(doc.dump(-1, ' ', false, ojson::error_handler_t::replace), fuzzKey().publicKeyHex(),
                                   &why, &p);
    std::vector<std::string> path;
    bool wellFormed = jstr(doc, "format") == kConsistencyFormat && jget(doc, "path").is_array();
    for (const ojson& h : jget(doc, "path")) {
      wellFormed = wellFormed && h.is_string();
      if (h.is_string()) path.push_back(h.get<std::string>());
    }
    bool expected = wellFormed && !a.root.empty() && !b.root.empty() && a.seq >= 1 && a.seq <= b.seq &&
                    ledger::verifyConsistency(uint64_t(a.seq), uint64_t(b.seq), a.root, b.root, path);
    FUZZ_CHECK(valid == expected, "signed checkpoints, yet not the core's answer: " + why);
    return 0;
  }
  if (data[0] % 3 == 0) {
    std::string why;
    bool valid = verifyProof(text, "", &why);
    FUZZ_CHECK(valid || !why.empty(), "a refused proof without a reason");
    FUZZ_CHECK(fuzz::validUtf8(why) || !valid, "reason is not valid UTF-8");
    if (valid) {
      ojson doc = ojson::parse(text, nullptr, false);
      std::string html = proofHtml(doc, "ru");
      FUZZ_CHECK(html.find("<script") == std::string::npos, "script in the printable proof");
    }
    return 0;
  }
  std::istringstream in(text);
  ExportData d;
  std::string err;
  if (!readExport(in, &d, &err)) {
    FUZZ_CHECK(!err.empty(), "an unreadable export without a reason");
    return 0;
  }
  Verifier v(d.publicKey, d.checkpoints, d.fromSeq, d.prevHash);
  v.setKeyHistory(d.keyRotations);
  v.expectEnd(d.headSeq, d.headHash);
  for (const Row& r : d.rows)
    if (!v.add(r)) break;
  VerifyResult r = v.finish();
  FUZZ_CHECK(!r.message.empty(), "a verification without a message");
  return 0;
}
