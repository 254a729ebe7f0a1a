// The operator's routes (docs/ledger.md §5), each behind the admin token (http/auth.h):
//   GET    /v1/records/{id}         the record's events, state and verification (ledger/views.h)
//   GET    /v1/proof/{id}           the signed proof (?format=html&lang=ru|kk|en: printable page)
//   GET    /v1/consistency?from=&to= the consistency proof between two checkpoints (seqs; ledger/consistency.h)
//   DELETE /v1/records/{id}         erasure (ledger/erasure.h)
//   GET    /v1/export?from=&to=     JSON Lines (ledger/export.h), a contiguous seq slice
//   GET    /v1/stats?from=&to=      daily counts by method, acceptance rate per category
//   GET    /v1/verify               the whole ledger verified (ledger/verify.h)
// from/to: epoch ms, an ISO 8601 instant with offset, or a date YYYY-MM-DD (UTC midnight).
// Store errors answer 503 (unavailable) or 500, with the store's message.
#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>

#include "app.h"
#include "core/consent.h"
#include "core/ledger.h"
#include "http/auth.h"
#include "ledger/consistency.h"
#include "ledger/erasure.h"
#include "ledger/export.h"
#include "ledger/json_access.h"
#include "ledger/merkle.h"
#include "ledger/proof.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "ledger/views.h"
#include "ledger/writer.h"
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
/** Epoch ms, an ISO 8601 instant with its offset, or YYYY-MM-DD (midnight at `tz`, ±HH:MM). */
bool parseTime(const std::string& s, int64_t* ms, const std::string& tz) {
  int32_t offset;
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) return parseDecimal(s, ms);
  if (s.size() == 10 && parseInstant(s + "T00:00:00" + tz, ms, &offset)) return true;
  return parseInstant(s, ms, &offset);
}

/** Reads ?name= into *ms (unchanged when absent). false (and a 400 answer) when malformed. */
bool timeParam(const httplib::Request& req, httplib::Response& res, const char* name, int64_t* ms,
               const std::string& tz = "Z") {
  if (!req.has_param(name)) return true;
  std::string v = req.get_param_value(name);
  if (parseTime(v, ms, tz)) return true;
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
  // The newest checkpoint covers the record when it is at or after the record's last row: sign
  // the head now if it moved since the last checkpoint, so that a proof asked for right after
  // the visitor's choice is not left without one until the next interval.
  StoreError e = app.writer ? app.writer->checkpointIfMoved() : StoreError{};
  if (!e.ok() && e.unavailable) return sendStoreError(res, e);
  Checkpoint latest;
  bool found = false;
  e = app.store->latestCheckpoint(&latest, &found);
  if (!e.ok()) return sendStoreError(res, e);
  std::vector<Checkpoint> checkpoints, keyRotations;
  if (found) checkpoints.push_back(latest);
  if (!(e = app.store->keyRotations(&keyRotations)).ok()) return sendStoreError(res, e);
  // Each row's Merkle inclusion path to that checkpoint's root (one pass over rows 1..its seq).
  std::map<int64_t, std::vector<std::string>> inclusion;
  if (found &&
      !(e = proofInclusion(*app.store, rows, latest, &inclusion, app.readPageRows, app.merkleBlockLeaves)).ok())
    return sendStoreError(res, e);
  // The paths come partly from stored Merkle blocks, which nothing signs: each is checked
  // against the signed root before it is sent, as GET /v1/consistency checks its path.
  int64_t badSeq = 0;
  if (found && !inclusionHolds(rows, latest, inclusion, &badSeq))
    return sendError(res, 409, "inconsistent",
                     "the stored rows and Merkle blocks do not give the Merkle root the checkpoint at seq " +
                         std::to_string(latest.seq) + " signed (row " + std::to_string(badSeq) +
                         "'s path): rows or blocks were changed after they were signed (GET /v1/verify names the first)");
  ojson proof =
      buildProof(id, rows, prev, app.policies, checkpoints, *app.signer, app.now(), keyRotations, inclusion);
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

/** ?name= as a checkpoint's seq (a whole number >= 1) into *seq; absent: *seq unchanged when
 *  `optional`, else a 400 answer, as for a malformed one. */
bool seqParam(const httplib::Request& req, httplib::Response& res, const char* name, bool optional, int64_t* seq) {
  if (!req.has_param(name)) {
    if (optional) return true;
    sendError(res, 400, "missing-param",
              std::string("query parameter '") + name + "' is required: the seq of a stored checkpoint");
    return false;
  }
  std::string v = req.get_param_value(name);
  if (v.find_first_not_of("0123456789") == std::string::npos && parseDecimal(v, seq) && *seq >= 1) return true;
  sendError(res, 400, "bad-seq",
            std::string("query parameter '") + name + "' must be a checkpoint's seq, a whole number from 1");
  return false;
}

/** The checkpoint at seq that signs a Merkle root (the newest of them when several do); answers
 *  404 (none at that seq), 422 (none there signs a root) or 5xx itself when it returns false. */
bool checkpointWithRoot(App& app, int64_t seq, const char* name, httplib::Response& res, Checkpoint* out) {
  std::vector<Checkpoint> there;
  StoreError e = app.store->checkpointsInRange(seq, seq, &there);
  if (!e.ok()) return sendStoreError(res, e), false;
  if (there.empty())
    return sendError(res, 404, "not-found",
                     std::string("no checkpoint at seq ") + std::to_string(seq) + " ('" + name +
                         "'): a consistency proof goes between two stored checkpoints (GET /v1/export lists them)"),
           false;
  for (auto c = there.rbegin(); c != there.rend(); ++c)
    if (!c->root.empty()) return *out = *c, true;
  sendError(res, 422, "no-root",
            "the checkpoint at seq " + std::to_string(seq) + " ('" + name +
                "') was written before Merkle roots (kelisim-ledger-checkpoint/1): it signs no root, so no "
                "consistency proof starts or ends there; name a later checkpoint");
  return false;
}

/** GET /v1/consistency?from=SEQ[&to=SEQ]: that the ledger the checkpoint at `to` (default: the
 *  newest) signs extends the one the checkpoint at `from` signed (RFC 9162 §2.1.4,
 *  ledger/consistency.h). The path is read from the rows in one pass and checked with the core
 *  before it is sent: rows changed since a checkpoint was signed answer 409, not a document that
 *  cannot verify. */
void getConsistency(App& app, const httplib::Request& req, httplib::Response& res) {
  int64_t from = 0, to = 0;
  if (!requireAdmin(app, req, res) || !seqParam(req, res, "from", false, &from) || !seqParam(req, res, "to", true, &to))
    return;
  StoreError e;
  if (to == 0) {
    // Up to the head: sign it first if it moved since the last checkpoint (as GET /v1/proof
    // does), so that "from my checkpoint to now" reaches the rows stored since.
    e = app.writer ? app.writer->checkpointIfMoved() : StoreError{};
    if (!e.ok() && e.unavailable) return sendStoreError(res, e);
    Checkpoint latest;
    bool found = false;
    if (!(e = app.store->latestCheckpoint(&latest, &found)).ok()) return sendStoreError(res, e);
    if (!found) return sendError(res, 404, "not-found", "the ledger has no checkpoint yet");
    to = latest.seq;
  }
  if (from > to && !req.has_param("to"))
    return sendError(res, 404, "not-found",
                     "no checkpoint at seq " + std::to_string(from) + ": the newest is at seq " + std::to_string(to));
  if (from > to)
    return sendError(res, 400, "bad-range",
                     "'from' (seq " + std::to_string(from) + ") is after 'to' (seq " + std::to_string(to) +
                         "): a consistency proof goes from an older checkpoint to a newer one");
  Checkpoint a, b;
  if (!checkpointWithRoot(app, from, "from", res, &a) || !checkpointWithRoot(app, to, "to", res, &b)) return;
  std::vector<std::string> path;
  std::vector<Checkpoint> keyRotations;
  if (!(e = consistencyPath(*app.store, a.seq, b.seq, &path, app.readPageRows, app.merkleBlockLeaves)).ok()) return sendStoreError(res, e);
  if (!ledger::verifyConsistency(uint64_t(a.seq), uint64_t(b.seq), a.root, b.root, path))
    return sendError(res, 409, "inconsistent",
                     "the stored rows and Merkle blocks do not give the Merkle roots the checkpoints at seq " +
                         std::to_string(a.seq) + " and " + std::to_string(b.seq) +
                         " signed: rows or blocks were changed after they were signed (GET /v1/verify names the first)");
  if (!(e = app.store->keyRotations(&keyRotations)).ok()) return sendStoreError(res, e);
  res.set_header("Content-Disposition", "inline; filename=\"kelisim-consistency-" + std::to_string(a.seq) + "-" +
                                            std::to_string(b.seq) + ".json\"");
  sendJson(res, buildConsistency(a, b, path, app.signer->publicKeyHex(), keyRotations, app.now()));
}

void deleteRecord(App& app, const httplib::Request& req, httplib::Response& res) {
  std::string id;
  if (!requireAdmin(app, req, res) || !recordIdParam(req, res, &id)) return;
  ErasureResult r = eraseRecord(app, id, app.now());
  if (!r.error.ok()) return sendStoreError(res, r.error);
  if (r.erased == 0) return sendError(res, 404, "not-found", "no events of record " + id + " (never stored, or already erased)");
  sendJson(res, {{"erased", r.erased}, {"erasureSeq", r.seq}});
}

/** GET /v1/export: the rows stored in [from, to), widened to the contiguous seq range they
 *  span so that the slice verifies on its own (from its first seq and the row_hash before it),
 *  streamed (chunked) page by page: the header, the rows, then the checkpoints within them. A
 *  read that fails once the header is sent ends the response early; the export then fails to
 *  verify ("the rows end at seq …"), it is never silently short. */
void getExport(App& app, const httplib::Request& req, httplib::Response& res) {
  int64_t from = 0, to = kMaxMs;
  if (!requireAdmin(app, req, res) || !timeParam(req, res, "from", &from) || !timeParam(req, res, "to", &to)) return;
  int64_t first = 0, last = 0;
  StoreError e = app.store->seqRangeByTime(from, to, &first, &last);
  // The row_hash before the first row, and the last row's (the one before last + 1).
  std::map<int64_t, std::string> prev;
  if (e.ok() && first > 0) {
    Row a, b;
    a.seq = first;
    b.seq = last + 1;
    e = prevHashesOf(*app.store, {a, b}, &prev);
  }
  std::string prevHash = prev[first], headHash = prev[last + 1];
  auto checkpoints = std::make_shared<std::vector<Checkpoint>>();
  std::vector<Checkpoint> keyRotations;
  if (e.ok() && first > 0) e = app.store->checkpointsInRange(first, last, checkpoints.get());
  if (e.ok()) e = app.store->keyRotations(&keyRotations);
  if (!e.ok()) return sendStoreError(res, e);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"kelisim-ledger.jsonl\"");
  std::string header = first > 0 ? exportHeaderLine(app.signer->publicKeyHex(), first, prevHash, last, headHash, keyRotations)
                                 : exportHeaderLine(app.signer->publicKeyHex(), 1, "", 0, "", keyRotations);
  if (first == 0) return res.set_content(header, "application/x-ndjson");
  auto next = std::make_shared<int64_t>(first);
  auto headerSent = std::make_shared<bool>(false);
  res.set_chunked_content_provider(
      "application/x-ndjson", [&app, header, next, headerSent, last, checkpoints](size_t, httplib::DataSink& sink) {
        if (!*headerSent) {
          *headerSent = true;
          return sink.write(header.data(), header.size());
        }
        if (*next <= last) {
          std::string chunk;
          bool more = false;
          StoreError pe = eachPage(*app.store, *next, last + 1, app.readPageRows, [&](std::vector<Row>& page) {
            for (const Row& r : page) chunk += exportRowLine(r);
            *next = page.back().seq + 1;
            more = true;
            return false;  // one page per call
          });
          if (!pe.ok()) {
            std::fprintf(stderr, "kelisim-server: export stopped at seq %lld: %s\n", (long long)*next, pe.message.c_str());
            return false;  // the connection is closed: a short export that does not verify
          }
          if (!more) *next = last + 1;  // rows missing at the end: the export shows it
          return chunk.empty() || sink.write(chunk.data(), chunk.size());
        }
        std::string tail;
        for (const Checkpoint& c : *checkpoints) tail += exportCheckpointLine(c);
        if (!tail.empty() && !sink.write(tail.data(), tail.size())) return false;
        sink.done();
        return true;
      });
}

void getStats(App& app, const httplib::Request& req, httplib::Response& res) {
  if (!requireAdmin(app, req, res)) return;
  // Days are calendar days at a fixed UTC offset (?tz=+05:00; default UTC): the admin page
  // sends the browser's, so that a day is the operator's day, not UTC's.
  int64_t offset = 0;
  std::string tz = req.has_param("tz") ? req.get_param_value("tz") : "Z";
  if (!parseUtcOffset(tz, &offset))
    return sendError(res, 400, "bad-tz", "query parameter 'tz' must be a UTC offset, ±HH:MM (at most 14:00), or Z");
  tz = formatUtcOffset(offset);
  int64_t to = ((app.now() + offset) / kDayMs + 1) * kDayMs - offset;  // the end of today there
  int64_t from = to - kDefaultStatsDays * kDayMs;
  if (!timeParam(req, res, "from", &from, tz) || !timeParam(req, res, "to", &to, tz)) return;
  if (to <= from) return sendError(res, 400, "bad-range", "'to' must be after 'from'");
  int64_t first = 0, last = 0;
  StatsBuilder stats(from, to, 400, offset);
  StoreError e = app.store->seqRangeByTime(from, to, &first, &last);
  if (e.ok())
    e = eachPage(*app.store, first, last + 1, app.readPageRows, [&](std::vector<Row>& page) {
      for (const Row& r : page) stats.add(r);
      return true;
    });
  if (!e.ok()) return sendStoreError(res, e);
  sendJson(res, stats.json());
}

/** POST /v1/proof/verify: a proof document someone shows the operator (the body, JSON), checked
 *  with the core against this ledger: its signature, seals, inclusion paths and checkpoint
 *  (verifyProof), that it is signed by one of this ledger's keys (the current one or any of its
 *  key history), and whether its checkpoint is the one stored here. Always 200 with {valid,
 *  message, recordId, signedBy, checkpoint: {seq, stored}} unless the body is too large (413). */
/** {"seq", "stored"} for a checkpoint a document names: whether this ledger stores that very
 *  signed checkpoint (same seq, time and signature). */
bool storedHere(App& app, int64_t seq, int64_t at, const std::string& signature, httplib::Response& res, ojson* out) {
  std::vector<Checkpoint> stored;
  StoreError e = app.store->checkpointsInRange(seq, seq, &stored);
  if (!e.ok()) return sendStoreError(res, e), false;
  bool here = std::any_of(stored.begin(), stored.end(), [&](const Checkpoint& c) { return c.at == at && c.signature == signature; });
  *out = {{"seq", seq}, {"stored", here}};
  return true;
}

/** POST /v1/proof/verify: a document someone shows the operator, checked with the core against
 *  this ledger's keys (the current one and every rotated one): a proof (kelisim-proof/1,
 *  "kind": "proof") or a consistency proof (kelisim-ledger-consistency/1, "kind":
 *  "consistency"). The answer also says whether the checkpoints it names are stored here. */
void postProofVerify(App& app, const httplib::Request& req, httplib::Response& res) {
  constexpr size_t kMaxProofBytes = 8 * 1024 * 1024;
  if (!requireAdmin(app, req, res)) return;
  if (req.body.size() > kMaxProofBytes) return sendError(res, 413, "too-large", "a proof document is at most 8 MiB");
  std::vector<Checkpoint> rotations;
  StoreError e = app.store->keyRotations(&rotations);
  if (!e.ok()) return sendStoreError(res, e);
  std::vector<std::string> keys{app.signer->publicKeyHex()};
  for (const Checkpoint& r : rotations) keys.push_back(r.prevKey), keys.push_back(r.publicKey);
  std::string why;
  nlohmann::json doc;
  bool valid = verifyProof(req.body, "", &why, &doc);
  if (!valid && jstr(doc, "format") == kConsistencyFormat) {
    // Valid when it holds for one of this ledger's keys (a document made before a rotation
    // names only the keys up to then). The key it names is tried first: when it is refused,
    // that key's reason is the one to show.
    auto named = std::find(keys.begin(), keys.end(), jstr(doc, "publicKey"));
    if (named != keys.end()) std::rotate(keys.begin(), named, named + 1);
    ConsistencyProof c;
    for (size_t i = 0; i < keys.size() && !valid; ++i) {
      std::string w;
      valid = verifyConsistencyProof(req.body, keys[i], &w, &c);
      if (i == 0) why = w;
    }
    ojson out = {{"kind", "consistency"}, {"valid", valid}, {"message", valid ? "valid" : why},
                 {"from", nullptr}, {"to", nullptr}};
    if (valid && (!storedHere(app, c.from.seq, c.from.at, c.from.signature, res, &out["from"]) ||
                  !storedHere(app, c.to.seq, c.to.at, c.to.signature, res, &out["to"])))
      return;
    return sendJson(res, out);
  }
  std::string signedBy = jstr(doc, "publicKey");
  if (valid && std::find(keys.begin(), keys.end(), signedBy) == keys.end())
    valid = false, why = "it is signed by " + signedBy + ", which is not a key of this ledger";
  ojson out = {{"kind", "proof"}, {"valid", valid}, {"message", valid ? "valid" : why}, {"recordId", jstr(doc, "recordId")},
               {"signedBy", signedBy}, {"checkpoint", nullptr}};
  const nlohmann::json& cp = jget(doc, "checkpoint");
  if (valid && cp.is_object() &&
      !storedHere(app, jint(cp, "seq"), jint(cp, "at"), jstr(cp, "signature"), res, &out["checkpoint"]))
    return;
  sendJson(res, out);
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
  http.Get("/v1/consistency", [&app](const httplib::Request& q, httplib::Response& r) { getConsistency(app, q, r); });
  http.Post("/v1/proof/verify", [&app](const httplib::Request& q, httplib::Response& r) { postProofVerify(app, q, r); });
  http.Get("/v1/export", [&app](const httplib::Request& q, httplib::Response& r) { getExport(app, q, r); });
  http.Get("/v1/stats", [&app](const httplib::Request& q, httplib::Response& r) { getStats(app, q, r); });
  http.Get("/v1/verify", [&app](const httplib::Request& q, httplib::Response& r) { getVerify(app, q, r); });
}

}  // namespace server
}  // namespace kelisim
