// Token bucket per client IP (rate_limiter.h).
#include "http/rate_limiter.h"

#include <cmath>

namespace kelisim {
namespace server {

int RateLimiter::take(const std::string& ip, int64_t nowMs) {
  if (rate_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mu_);
  // Buckets idle long enough to be full again carry no information: drop them when the map
  // grows, so many client addresses cannot grow it without bound.
  if (buckets_.size() > 100000) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = (nowMs - it->second.atMs) / 1000.0 * rate_ >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  auto it = buckets_.find(ip);
  if (it == buckets_.end()) it = buckets_.emplace(ip, Bucket{burst_, nowMs}).first;
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + double(nowMs - b.atMs) / 1000.0 * rate_);
  b.atMs = nowMs;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max(1, int(std::ceil((1 - b.tokens) / rate_)));
}

}  // namespace server
}  // namespace kelisim
