// GET /healthz (no token): {"ok": true, "db": engine, "head": {seq, hash}}; 503 while the
// database cannot be read (docs/ledger.md §5).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "app.h"
#include "store/store.h"

namespace kelisim {
namespace server {

void addHealthRoutes(httplib::Server& http, App& app) {
  http.Get("/healthz", [&app](const httplib::Request&, httplib::Response& res) {
    Head h;
    StoreError e = app.store->head(&h);
    nlohmann::ordered_json j;
    j["ok"] = e.ok();
    j["db"] = app.store->engine();
    if (e.ok()) {
      j["head"] = {{"seq", h.seq}, {"hash", h.hash}};
    } else {
      j["error"] = e.message;
      res.status = 503;
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace), "application/json");
  });
}

}  // namespace server
}  // namespace kelisim
