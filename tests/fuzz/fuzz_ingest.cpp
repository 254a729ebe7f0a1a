// Fuzz target: the ledger's ingest parser (server/src/ledger/ingest.cpp), POST /v1/events
// bodies → checked rows. Invariants: never a crash, hang or abort (nlohmann runs without
// exceptions here, so an unchecked JSON access would abort); a refusal has a code, a message
// and an index inside the batch (or -1); an accepted body gives one row per event, each with
// valid JSON body/personal, a 64-hex event key, and personal_hash = personalHash(personal).
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/ledger.h"
#include "fuzz_util.h"
#include "ledger/ingest.h"

using namespace kelisim;
using namespace kelisim::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  IngestOptions opt;
  opt.keepIp = size % 2 == 0;
  std::vector<CheckedEvent> out;
  IngestError e = parseEvents(body, opt, nullptr, "198.51.100.7", &out);
  if (!e.ok()) {
    FUZZ_CHECK(!e.message.empty() && (e.httpStatus == 400 || e.httpStatus == 413), "refusal without message/status");
    FUZZ_CHECK(e.index >= -1 && e.index < int(opt.maxBatch), "index out of range: " + e.message);
    FUZZ_CHECK(out.empty(), "a refused body left rows behind");
    FUZZ_CHECK(fuzz::validUtf8(e.message), "error message is not valid UTF-8");
    return 0;
  }
  FUZZ_CHECK(!out.empty() && out.size() <= opt.maxBatch, "accepted batch size out of range");
  for (const CheckedEvent& c : out) {
    const NewRow& r = c.row;
    FUZZ_CHECK(fuzz::validJson(r.body) && fuzz::validJson(r.personal), "row JSON is not valid");
    FUZZ_CHECK(r.eventKey.size() == 64, "event key is not 64 hex");
    FUZZ_CHECK(r.personalHash == ledger::personalHash(r.personal), "personal_hash mismatch");
    FUZZ_CHECK(r.kind == "change" || r.kind == "display", "unexpected kind " + r.kind);
    FUZZ_CHECK(c.flags.size() == 1 && c.flags[0] == "unknown-policy", "without policies every event is unknown");
  }
  return 0;
}
