// Fuzz target: what a ledger operator is handed from outside (docs/ledger.md §4–5): a proof
// document (POST /v1/proof/verify, `kelisim-server verify --proof`) and a ledger export
// (`verify --export`). The first byte picks which. Invariants: never a crash, hang or abort
// (nlohmann runs without exceptions; a deeply nested document must be refused, not recursed
// into); a refusal always says why; a proof that verifies names its key; an export that reads
// verifies to an answer with a message, and an invalid one names a position.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "fuzz_util.h"
#include "ledger/export.h"
#include "ledger/proof.h"
#include "ledger/verify.h"

using namespace kelisim;
using namespace kelisim::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
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
