// The consent ledger's hash rules (docs/ledger.md "Sealing"). The server (server/) seals every
// stored event with these and `kelisim-server verify` checks them; they live in the core so
// that there is one implementation of every hash rule kelisim has. Pure functions, no I/O.
// Not linked into any wasm module (nothing in the bridges references them).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace kelisim {
namespace ledger {

/** prev_row_hash of the first row: 64 zeros. */
extern const char kGenesis[65];

/** The deduplication key of an event: hex SHA-256("kelisim/event/1\n" recordId "\n" eventId).
 *  Two visitors (two record ids) who make the same choice in the same millisecond have the
 *  same history-entry hash but different keys; the same event delivered twice has one key.
 *  The key survives erasure (it does not reveal the record id: ids carry 72 random bits). */
std::string eventKey(std::string_view recordId, std::string_view eventId);

/** hex SHA-256("kelisim/personal/1\n" personal): what the chain covers of a row's personal
 *  fields, so that erasing them (personal → NULL) leaves the chain verifiable. */
std::string personalHash(std::string_view personal);

/** The row's seal: hex SHA-256("kelisim/ledger/1\n" prevRowHash "\n" seq "\n" serverAtMs "\n"
 *  eventKey "\n" personalHash "\n" body), decimal numbers. prevRowHash is the previous row's
 *  rowHash (kGenesis for seq 1). */
std::string rowHash(std::string_view prevRowHash, int64_t seq, int64_t serverAtMs, std::string_view eventKey,
                    std::string_view personalHash, std::string_view body);

/** The bytes an Ed25519 checkpoint signature covers:
 *  "kelisim-ledger-checkpoint/1\n" seq "\n" headRowHash "\n" atMs. */
std::string checkpointMessage(int64_t seq, std::string_view head, int64_t atMs);

/** The bytes both signatures of a key rotation cover (docs/ledger.md §4.1), the old key's and
 *  the new key's: "kelisim-ledger-key-rotation/1\n" seq "\n" headRowHash "\n" atMs "\n"
 *  oldPublicKey "\n" newPublicKey (keys in 64 lowercase hex). The old key hands the ledger over
 *  at that head; the new key vouches for the chain up to it. */
std::string rotationMessage(int64_t seq, std::string_view head, int64_t atMs, std::string_view oldKey,
                            std::string_view newKey);

/** The bytes a proof document's Ed25519 signature covers: "kelisim-proof/1\n" + the proof's
 *  canonical JSON text (without its "signature" member). */
std::string proofMessage(std::string_view canonicalProof);

}  // namespace ledger
}  // namespace kelisim
