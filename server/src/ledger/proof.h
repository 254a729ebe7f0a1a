// The proof of consent for one visitor record (GET /v1/proof/{id}, docs/ledger.md §5): a
// self-contained JSON document signed with the server's Ed25519 key, and the same as a
// printable HTML page in ru/kk/en.
//
// Document (kelisim-proof/1), members in this order:
//   format, generatedAt(+Iso), recordId (pseudonymous: who),
//   policies: [{id, version, bodyHash, publishedAt, updateRule{type,days}, text (URL path of
//              that exact version below the policies folder), known}]   (which text)
//   displays: [{seq, eventId, kind, reason, layout, language, at(+Iso), serverAt(+Iso),
//               deadline, policy{id,version,bodyHash}, categories, strings, contentHash}]
//   decisions: [{seq, eventId, op, method, how ("button" | "implicit" | "notice"), at(+Iso),
//                serverAt(+Iso), policy, choices, canonical (the history entry text the
//                entry hash covers), prevHash, hash, hashOk, display (event id shown on),
//                implicit: {notice{seq,at,atIso}|null, deadline(+Iso), afterDeadline, flags}}]
//   state, verification (the record view's), rows: [{seq, serverAt, eventKey, personalHash,
//   prevRowHash, rowHash, body, inclusion}] (each seal recomputes from these alone; inclusion:
//   the row's Merkle inclusion path to the checkpoint's root, docs/ledger.md §4.2),
//   checkpoint: the newest signed checkpoint at or after the record's last row (null when
//   none yet; GET /v1/proof writes one first when the head moved; a key rotation also has prevKey and
//   prevSignature), publicKey, notes, and once the ledger's key was rotated keyRotations (the
//   whole key history, docs/ledger.md §4.1),
//   signature: Ed25519 (hex) over ledger::proofMessage(canonical JSON of everything else).
// Canonical JSON: keys sorted at every level, no spaces, UTF-8 as is (nlohmann::json dump()).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledger/views.h"
#include "store/store.h"

namespace kelisim {
namespace server {

class Signer;

/** Builds and signs the proof of one record. rows/prevHashes as for buildRecordView;
 *  checkpoints: candidates; the newest one at or after the last row covers it (the route
 *  passes only the latest). Never fails (an empty rows list gives a proof with no events; the
 *  route answers 404 before that). */
ojson buildProof(const std::string& recordId, const std::vector<Row>& rows,
                 const std::map<int64_t, std::string>& prevHashes, const Policies* policies,
                 const std::vector<Checkpoint>& checkpoints, const Signer& signer, int64_t nowMs,
                 const std::vector<Checkpoint>& keyRotations = {},
                 const std::map<int64_t, std::vector<std::string>>& inclusion = {});

/** The canonical text of a proof without its "signature" member (what is signed). */
std::string canonicalProof(const nlohmann::json& proof);

/** Checks a proof document: it parses, its signature verifies over proofMessage(canonical)
 *  with its publicKey, its checkpoint (if any) is signed by the same key, its keyRotations
 *  (if any) form a valid key history ending at publicKey, and publicKeyHex ("" = any) is
 *  publicKey or one of the history's keys. Returns true when valid; otherwise false and *why names what.
 *  parsed (optional): the document as parsed (null when it was refused before parsing). */
bool verifyProof(const std::string& json, const std::string& publicKeyHex, std::string* why,
                 nlohmann::json* parsed = nullptr);
/** The nesting verifyProof (and POST /v1/proof/verify) accepts before parsing a document. */
constexpr int kMaxProofDepth = 32;

/** The proof as a printable, script-free HTML page in lang (ru, kk or en; anything else: en).
 *  Every value from the document is HTML-escaped. Its one <style> element is kProofCss. */
std::string proofHtml(const ojson& proof, const std::string& lang);

/** The print stylesheet inlined in proofHtml(), and its CSP source ('sha256-<base64>'). */
extern const char kProofCss[];
std::string proofCssHashSource();

/** HTML-escapes & < > " ' (text and attribute values). */
std::string htmlEscape(const std::string& s);

}  // namespace server
}  // namespace kelisim
