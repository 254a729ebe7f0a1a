// The operator's token check. See auth.h.
#include "http/auth.h"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "app.h"

namespace kelisim {
namespace server {

bool bearerMatches(std::string_view header, std::string_view expected) {
  constexpr std::string_view kScheme = "Bearer ";
  if (expected.empty() || header.size() <= kScheme.size()) return false;
  // The scheme name is case-insensitive (RFC 7235 §2.1); the token is not.
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != std::tolower(static_cast<unsigned char>(kScheme[i])))
      return false;
  std::string_view given = header.substr(kScheme.size());
  // Compare equal-length buffers so that the time taken does not reveal the token's length
  // prefix that matched; the length check comes after, as a plain boolean.
  size_t n = std::max(given.size(), expected.size());
  std::string a(n, '\0'), b(n, '\0');
  a.replace(0, given.size(), given);
  b.replace(0, expected.size(), expected);
  bool same = sodium_memcmp(a.data(), b.data(), n) == 0;
  return same && given.size() == expected.size();
}

void sendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

bool requireAdmin(const App& app, const httplib::Request& req, httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  if (app.adminToken.empty()) {
    res.set_header("WWW-Authenticate", "Bearer");
    sendError(res, 401, "unauthorized", "no admin token is configured on this server (--admin-token-file)");
    return false;
  }
  if (!req.has_header("Authorization")) {
    res.set_header("WWW-Authenticate", "Bearer");
    sendError(res, 401, "unauthorized", "missing Authorization: Bearer <token> header");
    return false;
  }
  if (!bearerMatches(req.get_header_value("Authorization"), app.adminToken)) {
    res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    sendError(res, 401, "unauthorized", "wrong admin token");
    return false;
  }
  return true;
}

}  // namespace server
}  // namespace kelisim
