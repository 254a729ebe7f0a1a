// JSON Lines export and its reader (export.h).
#include "ledger/export.h"

#include <nlohmann/json.hpp>

#include "core/ledger.h"

namespace kelisim {
namespace server {

namespace {
using ojson = nlohmann::ordered_json;

std::string line(const ojson& j) { return j.dump(-1, ' ', false, ojson::error_handler_t::replace); }

ojson rowJson(const Row& r) {
  ojson j = ojson::object();
  j["seq"] = r.seq;
  j["serverAt"] = r.serverAt;
  j["eventKey"] = r.eventKey;
  j["kind"] = r.kind;
  j["op"] = r.op;
  j["method"] = r.method;
  j["policyId"] = r.policyId;
  j["policyVersion"] = r.policyVersion;
  j["clientAt"] = r.clientAt;
  j["recordId"] = r.recordId ? ojson(*r.recordId) : ojson(nullptr);
  j["body"] = r.body;
  j["personal"] = r.personal ? ojson(*r.personal) : ojson(nullptr);
  j["personalHash"] = r.personalHash;
  j["rowHash"] = r.rowHash;
  j["erasedAt"] = r.erasedAt ? ojson(*r.erasedAt) : ojson(nullptr);
  return j;
}

bool getStr(const ojson& o, const char* k, std::string* out) {
  auto it = o.find(k);
  if (it == o.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}
bool getInt(const ojson& o, const char* k, int64_t* out) {
  auto it = o.find(k);
  if (it == o.end() || !it->is_number_integer()) return false;
  *out = it->get<int64_t>();
  return true;
}
bool getOptStr(const ojson& o, const char* k, std::optional<std::string>* out) {
  auto it = o.find(k);
  if (it == o.end()) return false;
  if (it->is_null()) return true;
  if (!it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool parseRow(const ojson& j, Row* r) {
  int64_t erased = 0;
  auto e = j.find("erasedAt");
  if (e == j.end() || !(e->is_null() || e->is_number_integer())) return false;
  if (e->is_number_integer()) r->erasedAt = e->get<int64_t>();
  (void)erased;
  return getInt(j, "seq", &r->seq) && getInt(j, "serverAt", &r->serverAt) && getStr(j, "eventKey", &r->eventKey) &&
         getStr(j, "kind", &r->kind) && getStr(j, "op", &r->op) && getStr(j, "method", &r->method) &&
         getStr(j, "policyId", &r->policyId) && getStr(j, "policyVersion", &r->policyVersion) &&
         getInt(j, "clientAt", &r->clientAt) && getOptStr(j, "recordId", &r->recordId) && getStr(j, "body", &r->body) &&
         getOptStr(j, "personal", &r->personal) && getStr(j, "personalHash", &r->personalHash) &&
         getStr(j, "rowHash", &r->rowHash);
}

}  // namespace

std::string exportHeaderLine(const std::string& publicKeyHex, int64_t firstSeq, const std::string& prevRowHash,
                             int64_t headSeq, const std::string& headHash, const std::vector<Checkpoint>& keyRotations) {
  std::string prev = prevRowHash.empty() ? std::string(ledger::kGenesis) : prevRowHash;
  ojson h = ojson::object();
  h["format"] = kExportFormat;
  h["publicKey"] = publicKeyHex;
  h["head"] = {{"seq", headSeq}, {"hash", headHash.empty() ? prev : headHash}};
  h["from"] = {{"seq", firstSeq}, {"prevHash", prev}};
  if (!keyRotations.empty()) h["keyRotations"] = keyRotationsJson(keyRotations);
  return line(h) + '\n';
}

ojson keyRotationsJson(const std::vector<Checkpoint>& rotations) {
  ojson keys = ojson::array();
  for (const Checkpoint& r : rotations) keys.push_back(checkpointJson(r));
  return keys;
}

bool keyRotationsFromJson(const ojson& j, std::vector<Checkpoint>* out) {
  if (!j.is_array()) return false;
  for (const ojson& x : j) {
    Checkpoint r;
    if (!checkpointFromJson(x, &r) || !r.isRotation()) return false;
    out->push_back(std::move(r));
  }
  return true;
}

ojson checkpointJson(const Checkpoint& c) {
  ojson j = ojson::object();
  j["seq"] = c.seq;
  j["head"] = c.head;
  j["at"] = c.at;
  j["publicKey"] = c.publicKey;
  j["signature"] = c.signature;
  if (!c.root.empty()) j["root"] = c.root;
  if (c.isRotation()) {
    j["prevKey"] = c.prevKey;
    j["prevSignature"] = c.prevSignature;
  }
  return j;
}
bool checkpointFromJson(const ojson& j, Checkpoint* c) {
  if (!j.is_object()) return false;
  if (!(getInt(j, "seq", &c->seq) && getStr(j, "head", &c->head) && getInt(j, "at", &c->at) &&
        getStr(j, "publicKey", &c->publicKey) && getStr(j, "signature", &c->signature)))
    return false;
  if (j.find("root") != j.end() && !getStr(j, "root", &c->root)) return false;
  if (j.find("prevKey") == j.end() && j.find("prevSignature") == j.end()) return true;
  return getStr(j, "prevKey", &c->prevKey) && getStr(j, "prevSignature", &c->prevSignature) && !c->prevKey.empty();
}

std::string exportRowLine(const Row& r) { return line(ojson{{"row", rowJson(r)}}) + '\n'; }

std::string exportCheckpointLine(const Checkpoint& c) { return line(ojson{{"checkpoint", checkpointJson(c)}}) + '\n'; }

void writeExport(const std::vector<Row>& rows, const std::vector<Checkpoint>& checkpoints,
                 const std::string& publicKeyHex, std::ostream& out, const std::string& prevRowHash,
                 const std::vector<Checkpoint>& keyRotations) {
  int64_t firstSeq = rows.empty() ? 1 : rows.front().seq;
  int64_t lastSeq = rows.empty() ? firstSeq - 1 : rows.back().seq;
  out << exportHeaderLine(publicKeyHex, firstSeq, prevRowHash, lastSeq, rows.empty() ? "" : rows.back().rowHash,
                          keyRotations);
  for (const Row& r : rows) out << exportRowLine(r);
  for (const Checkpoint& c : checkpoints)
    if (c.seq >= firstSeq && c.seq <= lastSeq) out << exportCheckpointLine(c);  // only those this slice can check
}

bool readExport(std::istream& in, ExportData* out, std::string* err) {
  std::string text;
  int n = 0;
  bool header = false;
  while (std::getline(in, text)) {
    ++n;
    if (text.empty()) continue;
    ojson j = ojson::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      *err = "line " + std::to_string(n) + ": not a JSON object";
      return false;
    }
    if (!header) {
      std::string format;
      auto from = j.find("from");
      auto head = j.find("head");
      if (!getStr(j, "format", &format) || format != kExportFormat || !getStr(j, "publicKey", &out->publicKey) ||
          from == j.end() || !from->is_object() || !getInt(*from, "seq", &out->fromSeq) ||
          !getStr(*from, "prevHash", &out->prevHash) || head == j.end() || !head->is_object() ||
          !getInt(*head, "seq", &out->headSeq) || !getStr(*head, "hash", &out->headHash)) {
        *err = "line " + std::to_string(n) + std::string(": not a ") + kExportFormat + " header";
        return false;
      }
      auto keys = j.find("keyRotations");
      if (keys != j.end() && !keyRotationsFromJson(*keys, &out->keyRotations)) {
        *err = "line " + std::to_string(n) + ": keyRotations must be an array of key rotations";
        return false;
      }
      header = true;
      continue;
    }
    auto r = j.find("row");
    auto c = j.find("checkpoint");
    if (r != j.end() && r->is_object()) {
      Row row;
      if (!parseRow(*r, &row)) {
        *err = "line " + std::to_string(n) + ": malformed row";
        return false;
      }
      out->rows.push_back(std::move(row));
    } else if (c != j.end() && c->is_object()) {
      Checkpoint cp;
      if (!checkpointFromJson(*c, &cp)) {
        *err = "line " + std::to_string(n) + ": malformed checkpoint";
        return false;
      }
      out->checkpoints.push_back(std::move(cp));
    } else {
      *err = "line " + std::to_string(n) + ": neither a row nor a checkpoint";
      return false;
    }
  }
  if (!header) {
    *err = "empty export (no header line)";
    return false;
  }
  return true;
}

}  // namespace server
}  // namespace kelisim
