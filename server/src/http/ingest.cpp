// POST /v1/events and its CORS preflight (docs/ledger.md §1–2). The answer 202 is sent only
// after the writer committed the batch durably. Origin policy: a request carrying an Origin
// header that is not one of --origin gets 403; a request without Origin (curl, server-to-server)
// is allowed (browsers always send Origin on cross-origin POSTs, and on same-origin POSTs too).
#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "app.h"
#include "http/rate_limiter.h"
#include "ledger/ingest.h"
#include "ledger/writer.h"

namespace kelisim {
namespace server {

namespace {
using ojson = nlohmann::ordered_json;

void sendJson(httplib::Response& res, int status, const ojson& j) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(j.dump(-1, ' ', false, ojson::error_handler_t::replace), "application/json");
}

void sendError(httplib::Response& res, int status, const std::string& code, const std::string& message, int index = -1) {
  ojson err = ojson::object();
  err["code"] = code;
  err["message"] = message;
  err["index"] = index < 0 ? ojson(nullptr) : ojson(index);
  sendJson(res, status, ojson{{"error", err}});
}

/** False (403 sent) when the request's Origin is not configured; sets CORS headers when it is. */
bool checkOrigin(const App& app, const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("Origin")) return true;
  std::string origin = req.get_header_value("Origin");
  if (std::find(app.cfg.origins.begin(), app.cfg.origins.end(), origin) == app.cfg.origins.end()) {
    sendError(res, 403, "origin", "origin " + origin + " is not allowed (--origin)");
    return false;
  }
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
  return true;
}

/** The media type without parameters, lowercased. */
std::string mediaType(const httplib::Request& req) {
  std::string t = req.get_header_value("Content-Type");
  t = t.substr(0, t.find(';'));
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return t;
}

void postEvents(App& app, const httplib::Request& req, httplib::Response& res) {
  if (!checkOrigin(app, req, res)) return;
  if (app.limiter) {
    int wait = app.limiter->take(req.remote_addr, app.now());
    if (wait > 0) {
      res.set_header("Retry-After", std::to_string(wait));
      return sendError(res, 429, "rate-limit", "too many requests from this address; retry later");
    }
  }
  std::string type = mediaType(req);
  if (type != "application/json" && type != "text/plain")
    return sendError(res, 415, "content-type", "Content-Type must be application/json or text/plain");
  IngestOptions opt;
  opt.maxBodyBytes = app.cfg.maxBodyBytes;
  opt.maxDepth = app.cfg.maxDepth;
  opt.maxBatch = app.cfg.maxBatch;
  opt.keepIp = app.cfg.keepIp == "truncated";
  std::vector<CheckedEvent> events;
  IngestError ie = parseEvents(req.body, opt, app.policies, req.remote_addr, &events);
  if (!ie.ok()) return sendError(res, ie.httpStatus, ie.code, ie.message, ie.index);
  std::vector<NewRow> rows;
  for (const CheckedEvent& e : events) rows.push_back(e.row);
  SubmitResult sr = app.writer->submit(std::move(rows));
  if (!sr.error.ok()) {
    if (sr.error.unavailable) res.set_header("Retry-After", "5");
    return sendError(res, sr.error.unavailable ? 503 : 500, sr.error.unavailable ? "unavailable" : "store",
                     "nothing was stored: " + sr.error.message);
  }
  ojson results = ojson::array();
  int stored = 0, dups = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const AppendResult& r = sr.results[i];
    (r.stored ? stored : dups)++;
    ojson one = ojson::object();
    one["id"] = events[i].eventId;
    one["status"] = r.stored ? "stored" : "duplicate";
    one["seq"] = r.seq;
    if (!events[i].flags.empty()) one["flags"] = events[i].flags;
    results.push_back(one);
  }
  sendJson(res, 202, ojson{{"stored", stored}, {"duplicates", dups}, {"results", results}});
}

void preflight(App& app, const httplib::Request& req, httplib::Response& res) {
  if (!checkOrigin(app, req, res)) return;
  res.status = 204;
  res.set_header("Access-Control-Allow-Methods", "POST, OPTIONS");
  res.set_header("Access-Control-Allow-Headers", "Content-Type");
  res.set_header("Access-Control-Max-Age", "86400");
}
}  // namespace

void addIngestRoutes(httplib::Server& http, App& app) {
  http.Post("/v1/events", [&app](const httplib::Request& req, httplib::Response& res) { postEvents(app, req, res); });
  http.Options("/v1/events", [&app](const httplib::Request& req, httplib::Response& res) { preflight(app, req, res); });
}

}  // namespace server
}  // namespace kelisim
