// What every part of kelisim-server shares: the configuration (flags and env vars, main.cpp)
// and the running pieces the routes use. The HTTP surface is one file per group of routes
// (server/src/http/*.cpp), each adding its routes with one function declared below.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace httplib {
class Server;
}

namespace kelisim {
namespace server {

class Store;
class Policies;   // ledger/policies.h: the built policies (--policies DIR)
class Signer;     // ledger/signer.h: the Ed25519 key (--key PATH)
class Writer;     // ledger/writer.h: the single writer thread, group commit
class RateLimiter;

/** Flags and the same as env vars (KELISIM_LISTEN, KELISIM_DB, …; see main.cpp --help). */
struct Config {
  std::string listen = "127.0.0.1:8787";
  std::string db = "sqlite:./kelisim-ledger.db";
  std::string policiesDir;              // the `kelisim build` output; "" = every policy unknown
  std::string policiesUrl;              // where the site serves policiesDir ("" = proofs give paths below it)
  std::vector<std::string> origins;     // CORS + allowed Origin for ingest ("" list = no browser origin allowed)
  std::string adminTokenFile;           // "" = the operator API and /admin answer 401
  std::string keyPath;                  // Ed25519 secret key file (kelisim-server keygen)
  int retentionDays = 0;                // personal fields wiped after N days; 0 = kept
  std::string keepIp = "none";          // none | truncated (/24, /48)
  size_t maxBodyBytes = 256 * 1024;
  int maxDepth = 16;
  size_t maxBatch = 100;
  double ratePerSecond = 100;           // ingest requests per client IP, token bucket
  double rateBurst = 400;
  int checkpointSeconds = 60;           // a signed checkpoint this often when rows were added
  int threads = 8;                      // HTTP worker threads
  bool trustForwardedFor = false;       // behind a reverse proxy: the client IP is the last
                                        // X-Forwarded-For address (the one the proxy added)
};

/** The running server's parts. Owned by main (or a test); routes get a reference. */
struct App {
  Config cfg;
  Store* store = nullptr;
  const Policies* policies = nullptr;
  Signer* signer = nullptr;
  Writer* writer = nullptr;
  RateLimiter* limiter = nullptr;
  std::string adminToken;                   // "" = no operator access
  std::function<int64_t()> now;             // epoch ms; tests control it
  int64_t readPageRows = 2000;              // rows per read when the export and the stats page through a range
  int64_t merkleBlockLeaves = kMerkleBlockLeaves;  // the writer's Merkle block size (ledger/merkle.h)
};

// Routes, one function per file of server/src/http/:
void addIngestRoutes(httplib::Server& http, App& app);    // http/ingest.cpp: POST/OPTIONS /v1/events
void addHealthRoutes(httplib::Server& http, App& app);    // http/health.cpp: GET /healthz
void addRecordRoutes(httplib::Server& http, App& app);    // http/records.cpp: /v1/records, /v1/proof, /v1/export, /v1/stats
void addAdminPageRoutes(httplib::Server& http, App& app); // http/admin_page.cpp: GET /admin (+ its files)

}  // namespace server
}  // namespace kelisim
