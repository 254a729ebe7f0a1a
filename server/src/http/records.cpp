// The operator's routes (docs/ledger.md §5), each behind the admin token (http/auth.h):
//   GET    /v1/records/{id}         the record's events, state and verification (ledger/views.h)
//   GET    /v1/proof/{id}           the signed proof (?format=html&lang=ru|kk|en: printable page)
//   DELETE /v1/records/{id}         erasure (ledger/erasure.h)
//   GET    /v1/export?from=&to=     JSON Lines (ledger/export.h), a contiguous seq slice
//   GET    /v1/stats?from=&to=      daily counts by method, acceptance rate per category
//   GET    /v1/verify               the whole ledger verified (ledger/verify.h)
// from/to: epoch ms, an ISO 8601 instant with offset, or a date YYYY-MM-DD (UTC midnight).
// Store errors answer 503 (unavailable) or 500, with the store's message.
#include <httplib.h>

#include <sstream>

#include "app.h"
#include "core/consent.h"
#include "core/ledger.h"
#include "http/auth.h"
#include "ledger/erasure.h"
#include "ledger/export.h"
#include "ledger/proof.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "ledger/views.h"
#include "store/store.h"

namespace kelisim {
namespace server {
namespace {

constexpr int64_t kDefaultStatsDays = 30;

void sendStoreError(httplib::Response& res, const StoreError& e) {
  sendError(res, e.unavailable ? 503 : 500, e.unavailable ? "db-unavailable" : "db-error", e.message);
}

void sendJson(httplib::Response& res, const ojson& j) {
  res.status = 200;
  res.set_content(j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n", "application/json; charset=utf-8");
}

/** Parses a from/to value: epoch ms digits, an ISO instant with offset, or YYYY-MM-DD (UTC).
 *  Returns false for anything else. */
bool parseTime(const std::string& s, int64_t* ms) {
  int32_t offset;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return parseDecimal(s, ms);
  if (s.size() == 10 && parseInstant(s + "T00:00:00Z", ms, &offset)) return true;
  return parseInstant(s, ms, &offset);
}

/** Reads ?name= into *ms (unchanged when absent). false (and a 400 answer) when malformed. */
bool timeParam(const httplib::Request& req, httplib::Response& res, const char* name, int64_t* ms) {
  if (!req.has_param(name)) return true;
  std::string v = req.get_param_value(name);
  if (parseTime(v, ms)) return true;
  sendError(res, 400, "bad-time",
            std::string("query parameter '") + name + "' must be epoch ms, an ISO 8601 instant with offset, or YYYY-MM-DD");
  return false;
}

/** The record id of the path, validated with the core; false (and a 400 answer) otherwise. */
bool recordIdParam(const httplib::Request& req, httplib::Response& res, std::string* id) {
  *id = req.matches[1].str();
  if (validRecordId(*id)) return true;
  sendError(res, 400, "bad-record-id", "the record id must match [A-Za-z0-9_-]{8,32}");
  return false;
}

/** The row_hash before each row (seq-1), read from the store. */
StoreError prevHashesOf(Store& store, const std::vector<Row>& rows, std::map<int64_t, std::string>* out) {
  for (const Row& r : rows) {
    if (r.seq == 1) {
      (*out)[r.seq] = ledger::kGenesis;
      continue;
    }
    std::vector<Row> prev;
    StoreError e = store.rowsBySeq(r.seq - 1, r.seq, 1, &prev);
    if (!e.ok()) return e;
    if (!prev.empty() && prev[0].seq == r.seq - 1) (*out)[r.seq] = prev[0].rowHash;
  }
  return {};
}

/** Reads a record's rows and their previous hashes; answers 404/5xx itself when it returns false. */
bool loadRecord(App& app, const std::string& id, httplib::Response& res, std::vector<Row>* rows,
                std::map<int64_t, std::string>* prev) {
  StoreError e = app.store->rowsOfRecord(id, rows);
  if (e.ok() && rows->empty()) {
    sendError(res, 404, "not-found", "no events of record " + id + " (never stored, or erased)");
    return false;
  }
  if (e.ok()) e = prevHashesOf(*app.store, *rows, prev);
  if (!e.ok()) {
    sendStoreError(res, e);
    return false;
  }
  return true;
}

void getRecord(App& app, const httplib::Request& req, httplib::Response& res) {
  std::string id;
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  if (!requireAdmin(app, req, res) || !recordIdParam(req, res, &id) || !loadRecord(app, id, res, &rows, &prev)) return;
  sendJson(res, buildRecordView(id, rows, prev, app.policies).toJson());
}

void getProof(App& app, const httplib::Request& req, httplib::Response& res) {
  std::string id;
  std::vector<Row> rows;
  std::map<int64_t, std::string> prev;
  if (!requireAdmin(app, req, res) || !recordIdParam(req, res, &id) || !loadRecord(app, id, res, &rows, &prev)) return;
  // The newest checkpoint covers the record when it is at or after the record's last row.
  Checkpoint latest;
  bool found = false;
  StoreError e = app.store->latestCheckpoint(&latest, &found);
  if (!e.ok()) return sendStoreError(res, e);
  std::vector<Checkpoint> checkpoints, keyRotations;
  if (found) checkpoints.push_back(latest);
  if (!(e = app.store->keyRotations(&keyRotations)).ok()) return sendStoreError(res, e);
  ojson proof = buildProof(id, rows, prev, app.policies, checkpoints, *app.signer, app.now(), keyRotations);
  std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format == "json") {
    res.set_header("Content-Disposition", "inline; filename=\"kelisim-proof-" + id + ".json\"");
    return sendJson(res, proof);
  }
  if (format != "html") return sendError(res, 400, "bad-format", "format must be json or html");
  std::string lang = req.has_param("lang") ? req.get_param_value("lang") : "en";
  if (lang != "ru" && lang != "kk" && lang != "en") return sendError(res, 400, "bad-lang", "lang must be ru, kk or en");
  res.set_header("Content-Security-Policy", "default-src 'none'; style-src " + proofCssHashSource() +
                                                "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.status = 200;
  res.set_content(proofHtml(proof, lang), "text/html; charset=utf-8");
}

void deleteRecord(App& app, const httplib::Request& req, httplib::Response& res) {
  std::string id;
  if (!requireAdmin(app, req, res) || !recordIdParam(req, res, &id)) return;
  ErasureResult r = eraseRecord(app, id, app.now());
  if (!r.error.ok()) return sendStoreError(res, r.error);
  if (r.erased == 0) return sendError(res, 404, "not-found", "no events of record " + id + " (never stored, or already erased)");
  sendJson(res, {{"erased", r.erased}, {"erasureSeq", r.seq}});
}

void getExport(App& app, const httplib::Request& req, httplib::Response& res) {
  int64_t from = 0, to = kMaxMs;
  if (!requireAdmin(app, req, res) || !timeParam(req, res, "from", &from) || !timeParam(req, res, "to", &to)) return;
  // The rows stored in [from, to), widened to the contiguous seq range they span, so that the
  // slice verifies on its own (from its first seq and the row_hash before it).
  std::vector<Row> inTime, rows;
  StoreError e = app.store->rowsByTime(from, to, &inTime);
  std::string prevHash;
  if (e.ok() && !inTime.empty()) {
    int64_t first = inTime.front().seq, last = inTime.back().seq;
    for (const Row& r : inTime) first = std::min(first, r.seq), last = std::max(last, r.seq);
    e = app.store->rowsBySeq(first, last + 1, last - first + 1, &rows);
    std::map<int64_t, std::string> prev;
    if (e.ok() && !rows.empty()) e = prevHashesOf(*app.store, {rows.front()}, &prev);
    if (e.ok() && !rows.empty()) prevHash = prev[rows.front().seq];
  }
  std::vector<Checkpoint> inSlice, keyRotations;
  if (e.ok() && !rows.empty()) e = app.store->checkpointsInRange(rows.front().seq, rows.back().seq, &inSlice);
  if (e.ok()) e = app.store->keyRotations(&keyRotations);
  if (!e.ok()) return sendStoreError(res, e);
  std::ostringstream out;
  writeExport(rows, inSlice, app.signer->publicKeyHex(), out, prevHash == ledger::kGenesis ? "" : prevHash,
              keyRotations);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"kelisim-ledger.jsonl\"");
  res.set_content(out.str(), "application/x-ndjson");
}

void getStats(App& app, const httplib::Request& req, httplib::Response& res) {
  int64_t to = (app.now() / kDayMs + 1) * kDayMs;
  int64_t from = to - kDefaultStatsDays * kDayMs;
  if (!requireAdmin(app, req, res) || !timeParam(req, res, "from", &from) || !timeParam(req, res, "to", &to)) return;
  if (to <= from) return sendError(res, 400, "bad-range", "'to' must be after 'from'");
  std::vector<Row> rows;
  StoreError e = app.store->rowsByTime(from, to, &rows);
  if (!e.ok()) return sendStoreError(res, e);
  sendJson(res, buildStats(rows, from, to));
}

void getVerify(App& app, const httplib::Request& req, httplib::Response& res) {
  if (!requireAdmin(app, req, res)) return;
  VerifyResult v = verifyStore(*app.store, app.signer->publicKeyHex());
  sendJson(res, {{"valid", v.valid}, {"firstBadSeq", v.firstBadSeq}, {"message", v.message}, {"rows", v.rows},
                 {"checkpoints", v.checkpoints}, {"publicKey", app.signer->publicKeyHex()}});
}

}  // namespace

void addRecordRoutes(httplib::Server& http, App& app) {
  const char* record = R"(/v1/records/([^/]+))";
  http.Get(record, [&app](const httplib::Request& q, httplib::Response& r) { getRecord(app, q, r); });
  http.Delete(record, [&app](const httplib::Request& q, httplib::Response& r) { deleteRecord(app, q, r); });
  http.Get(R"(/v1/proof/([^/]+))", [&app](const httplib::Request& q, httplib::Response& r) { getProof(app, q, r); });
  http.Get("/v1/export", [&app](const httplib::Request& q, httplib::Response& r) { getExport(app, q, r); });
  http.Get("/v1/stats", [&app](const httplib::Request& q, httplib::Response& r) { getStats(app, q, r); });
  http.Get("/v1/verify", [&app](const httplib::Request& q, httplib::Response& r) { getVerify(app, q, r); });
}

}  // namespace server
}  // namespace kelisim
