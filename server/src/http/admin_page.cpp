// GET /admin and /admin/<file>: the operator's page (server/admin/*, embedded at build time by
// server/embed_files.cmake as admin_files.inc). The page itself needs no token: it holds no
// data; admin.js asks the operator for the token and sends it to /v1/* as a Bearer header.
// Strict CSP: only this origin's files, no inline script or style, no framing.
#include <httplib.h>

#include <string>
#include <string_view>

#include "app.h"
#include "ledger/proof.h"

namespace kelisim {
namespace server {
namespace {

struct AdminFile {
  const char* name;
  const char* text;
};

const AdminFile kAdminFiles[] = {
#include "admin_files.inc"
};

/** The Content-Type for an admin file name by its extension; "" for an unknown one. */
std::string contentType(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "";
}

const AdminFile* findFile(std::string_view name) {
  for (const AdminFile& f : kAdminFiles)
    if (name == f.name) return &f;
  return nullptr;
}

void securityHeaders(httplib::Response& res) {
  // style-src also allows the proof page's one <style> by its hash: admin.js opens the
  // printable proof as a blob: document, which inherits this policy.
  static const std::string csp = "default-src 'self'; script-src 'self'; style-src 'self' " + proofCssHashSource() +
                                 "; img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                                 "form-action 'none'; frame-ancestors 'none'";
  res.set_header("Content-Security-Policy", csp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Cache-Control", "no-cache");
}

void serveFile(std::string_view name, httplib::Response& res) {
  const AdminFile* f = findFile(name);
  std::string type = f ? contentType(name) : "";
  securityHeaders(res);
  if (!f || type.empty()) {
    res.status = 404;
    res.set_content("{\"error\":{\"code\":\"not-found\",\"message\":\"no such admin file\"}}", "application/json");
    return;
  }
  res.status = 200;
  res.set_content(f->text, type);
}

}  // namespace

void addAdminPageRoutes(httplib::Server& http, App& app) {
  http.Get("/admin", [](const httplib::Request&, httplib::Response& res) { serveFile("index.html", res); });
  http.Get("/admin/", [](const httplib::Request&, httplib::Response& res) { serveFile("index.html", res); });
  http.Get(R"(/admin/([A-Za-z0-9_-]+\.[a-z]+))", [](const httplib::Request& req, httplib::Response& res) {
    serveFile(req.matches[1].str(), res);
  });
}

}  // namespace server
}  // namespace kelisim
