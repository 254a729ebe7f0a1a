// The ledger export (GET /v1/export, `kelisim-server verify --export FILE`): JSON Lines.
//   line 1: {"format":"kelisim-ledger-export/1","publicKey":"<hex>","head":{"seq","hash"},
//            "from":{"seq","prevHash"}}    (from: the first row's seq and the row_hash before it)
//            and, once the ledger's key was rotated, "keyRotations":[{checkpoint…}, …]: every key
//            rotation of the ledger, whatever the slice (docs/ledger.md §4.1)
//   then one {"row":{…every column…}} per row in seq order, then one {"checkpoint":{…}} per checkpoint whose seq lies within the rows
//   (the others cannot be checked against this slice and are left out). A checkpoint that is a
//   key rotation also has "prevKey" and "prevSignature".
#pragma once
#include <istream>

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.h"

namespace kelisim {
namespace server {

constexpr const char* kExportFormat = "kelisim-ledger-export/1";

/** Writes the export. prevRowHash: row_hash of the row before rows.front() ("" = genesis, right
 *  when rows start at seq 1; a slice must pass it so that the slice verifies). */
void writeExport(const std::vector<Row>& rows, const std::vector<Checkpoint>& checkpoints,
                 const std::string& publicKeyHex, std::ostream& out, const std::string& prevRowHash = "",
                 const std::vector<Checkpoint>& keyRotations = {});

/** The export a line at a time, for GET /v1/export, which streams it page by page. Each
 *  returns one line with its '\n'. The header: the rows run from firstSeq (row_hash before it:
 *  prevRowHash, "" = genesis) to the head (headSeq, headHash; firstSeq - 1 and prevRowHash's hash
 *  when there are none). */
std::string exportHeaderLine(const std::string& publicKeyHex, int64_t firstSeq, const std::string& prevRowHash,
                             int64_t headSeq, const std::string& headHash, const std::vector<Checkpoint>& keyRotations);
std::string exportRowLine(const Row& r);
std::string exportCheckpointLine(const Checkpoint& c);
/** A checkpoint as JSON: seq, head, at, publicKey, signature, root (when it has one), prevKey
 *  and prevSignature (a key rotation). The export's lines and the proof's key history use it. */
nlohmann::ordered_json checkpointJson(const Checkpoint& c);
/** Reads back what checkpointJson wrote. false when a member is missing or of the wrong type
 *  (root may be absent; prevKey and prevSignature both or neither). */
bool checkpointFromJson(const nlohmann::ordered_json& j, Checkpoint* c);
/** A key history (docs/ledger.md §4.1) as the export's header, proofs and consistency
 *  documents carry it: an array of checkpointJson. */
nlohmann::ordered_json keyRotationsJson(const std::vector<Checkpoint>& rotations);
/** Reads back what keyRotationsJson wrote, appending to *out: false unless `j` is an array
 *  of key rotations (checkpointFromJson, each with prevKey and prevSignature). */
bool keyRotationsFromJson(const nlohmann::ordered_json& j, std::vector<Checkpoint>* out);

struct ExportData {
  std::string publicKey;
  int64_t fromSeq = 1;
  std::string prevHash;  // row_hash before fromSeq
  int64_t headSeq = 0;   // the header's head: the last row's seq and row_hash
  std::string headHash;
  std::vector<Row> rows;
  std::vector<Checkpoint> checkpoints;
  std::vector<Checkpoint> keyRotations;  // the header's key history (Verifier::setKeyHistory)
};

/** Reads an export. false and *err ("line N: …") on malformed input. */
bool readExport(std::istream& in, ExportData* out, std::string* err);

}  // namespace server
}  // namespace kelisim
