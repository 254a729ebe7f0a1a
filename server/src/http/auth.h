// The operator's token check (docs/ledger.md §5): every operator route calls requireAdmin()
// first. The token is `--admin-token-file`'s content (App::adminToken); "" means no operator
// access at all, so every operator route then answers 401.
#pragma once
#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kelisim {
namespace server {

struct App;

/** True when `header` is exactly "Bearer <token>" and token is non-empty and equal to
 *  `expected`, compared in constant time over the longer length (sodium_memcmp over padded
 *  copies, so the time does not depend on where the first difference lies). */
bool bearerMatches(std::string_view header, std::string_view expected);

/** Returns true when the request carries the admin token. Otherwise sets `res` to
 *  401 {"error":{"code":"unauthorized","message":…}} with WWW-Authenticate: Bearer, and
 *  returns false: the route must then return without doing anything. */
bool requireAdmin(const App& app, const httplib::Request& req, httplib::Response& res);

/** Sets res to `status` with {"error":{"code","message"}} as application/json. */
void sendError(httplib::Response& res, int status, std::string_view code, std::string_view message);

}  // namespace server
}  // namespace kelisim
