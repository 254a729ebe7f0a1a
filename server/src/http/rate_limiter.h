// Per-client-IP token bucket for POST /v1/events (Config::ratePerSecond, rateBurst).
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace kelisim {
namespace server {

class RateLimiter {
 public:
  RateLimiter(double perSecond, double burst) : rate_(perSecond), burst_(burst) {}
  /** Takes one token for ip at time nowMs. Returns 0 when allowed, else the seconds to wait
   *  (≥ 1) before a token is available. Thread-safe. */
  int take(const std::string& ip, int64_t nowMs);

 private:
  struct Bucket {
    double tokens;
    int64_t atMs;
  };
  double rate_, burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace server
}  // namespace kelisim
