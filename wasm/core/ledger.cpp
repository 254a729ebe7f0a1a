// The consent ledger's hash rules (see ledger.h).
#include "core/ledger.h"

#include "core/consent.h"
#include "core/sha256.h"

namespace kelisim {
namespace ledger {

const char kGenesis[65] = "0000000000000000000000000000000000000000000000000000000000000000";

std::string eventKey(std::string_view recordId, std::string_view eventId) {
  std::string s = "kelisim/event/1\n";
  s.append(recordId).append("\n").append(eventId);
  return sha256_hex(s);
}

std::string personalHash(std::string_view personal) {
  std::string s = "kelisim/personal/1\n";
  s.append(personal);
  return sha256_hex(s);
}

std::string rowHash(std::string_view prevRowHash, int64_t seq, int64_t serverAtMs, std::string_view eventKey,
                    std::string_view personalHash, std::string_view body) {
  Sha256 h;
  h.update("kelisim/ledger/1\n");
  h.update(prevRowHash);
  h.update("\n", 1);
  h.update(decimal(seq).view());
  h.update("\n", 1);
  h.update(decimal(serverAtMs).view());
  h.update("\n", 1);
  h.update(eventKey);
  h.update("\n", 1);
  h.update(personalHash);
  h.update("\n", 1);
  h.update(body);
  auto d = h.digest();
  return to_hex(d.data(), d.size());
}

std::string checkpointMessage(int64_t seq, std::string_view head, int64_t atMs) {
  std::string s = "kelisim-ledger-checkpoint/1\n";
  s.append(decimal(seq).view()).append("\n").append(head).append("\n").append(decimal(atMs).view());
  return s;
}

std::string rotationMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view oldKey,
                            std::string_view newKey) {
  std::string s = "kelisim-ledger-key-rotation/1\n";
  s.append(decimal(seq).view()).append("\n").append(head).append("\n").append(decimal(atMs).view());
  s.append("\n").append(oldKey).append("\n").append(newKey);
  return s;
}

std::string proofMessage(std::string_view canonicalProof) {
  std::string s = "kelisim-proof/1\n";
  s.append(canonicalProof);
  return s;
}

}  // namespace ledger
}  // namespace kelisim
