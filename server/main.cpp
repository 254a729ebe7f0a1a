// kelisim-server: the consent ledger (docs/ledger.md, server/README.md).
//   kelisim-server [serve] [flags]       run the HTTP server
//   kelisim-server keygen --key PATH     create an Ed25519 key file (0600; never overwrites)
//   kelisim-server verify (--db URL | --export FILE | --proof FILE | --consistency FILE [--old FILE])
//                         [--public-key HEX | --key PATH]
//   kelisim-server rotate-key --db URL --key OLD --new-key NEW   hand the ledger to a new key
// Exit codes: 0 ok (verify: valid), 1 failure (verify: invalid), 2 usage error.
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "app.h"
#include "http/rate_limiter.h"
#include "ledger/consistency.h"
#include "ledger/erasure.h"
#include "ledger/export.h"
#include "ledger/json_access.h"
#include "ledger/policies.h"
#include "ledger/proof.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "ledger/writer.h"
#include "store/store.h"

#ifndef KELISIM_VERSION
#define KELISIM_VERSION "0.0.0"
#endif

namespace ks = kelisim::server;

namespace {

const char* kUsage = R"(kelisim-server: the kelisim consent ledger

Usage:
  kelisim-server [serve] [flags]
  kelisim-server keygen --key PATH
  kelisim-server verify (--db URL | --export FILE | --proof FILE | --consistency FILE [--old FILE])
                        [--public-key HEX | --key PATH]
  kelisim-server rotate-key --db URL --key OLD_PATH --new-key NEW_PATH
  kelisim-server --help | --version

serve flags (and environment variables; a flag wins over its variable):
  --listen HOST:PORT          KELISIM_LISTEN           default 127.0.0.1:8787 (port 0 = any free port)
  --db URL                    KELISIM_DB               sqlite:PATH (default sqlite:./kelisim-ledger.db)
                                                       or postgres://user:pass@host:5432/db
  --policies DIR              KELISIM_POLICIES         `kelisim build` output; unknown policies are flagged
  --policies-url URL          KELISIM_POLICIES_URL     where the site serves that folder (https://site.kz/policies/):
                                                       proofs then link each version's exact text as a full URL
  --origin URL (repeatable)   KELISIM_ORIGINS          comma-separated; browser origins allowed to post events
  --admin-token-file PATH     KELISIM_ADMIN_TOKEN_FILE operator API token (Bearer)
  --key PATH                  KELISIM_KEY              Ed25519 key file; with SQLite and no --key,
                                                       <db dir>/kelisim-ledger.key (created if absent)
  --retention-days N          KELISIM_RETENTION_DAYS   wipe personal fields after N days (0 = keep)
  --keep-ip none|truncated    KELISIM_KEEP_IP          store no IP (default) or a /24 / /48 network
  --rate-limit R[:BURST]      KELISIM_RATE_LIMIT       ingest requests per second per IP (default 100:400; 0 = off)
  --checkpoint-seconds N      KELISIM_CHECKPOINT_SECONDS  signed checkpoint interval (default 60)
  --threads N                 KELISIM_THREADS          HTTP worker threads (default 8)
  --trust-forwarded-for yes|no KELISIM_TRUST_FORWARDED_FOR  behind a reverse proxy: take the client IP (rate
                                                       limit, --keep-ip) from the last X-Forwarded-For address

verify exits 0 when the ledger is valid, 1 when not (naming the first bad position), 2 on usage errors.
verify accepts any of the ledger's keys once it was rotated: each rotation is signed by both keys.
verify --consistency checks a GET /v1/consistency document: the newer checkpoint's ledger extends
the older one's (RFC 9162 §2.1.4); --old FILE: a checkpoint you kept (or a proof or consistency
document holding one), which must sign the same tree (seq, head, root) as its older checkpoint.

rotate-key hands the ledger over from the key in force (--key) to another (--new-key; the file is
created when it does not exist): one checkpoint at the current head, signed by both keys. Stop the
servers first, then start them with --key NEW_PATH: a server still running with the old key writes
no more checkpoints once it sees the rotation, and a server started with the old key is refused.
)";

struct Args {
  std::string command = "serve";
  ks::Config cfg;
  bool keyGiven = false;
  std::string exportFile, proofFile, consistencyFile, oldFile, publicKey, newKeyPath;
  bool dbGiven = false;
};

int usageError(const std::string& msg) {
  std::fprintf(stderr, "kelisim-server: %s (see kelisim-server --help)\n", msg.c_str());
  return 2;
}

bool parseInt(const std::string& s, long long lo, long long hi, long long* out) {
  if (s.empty() || s.size() > 12) return false;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end || v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::vector<std::string> splitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

/** Applies one setting (from a flag or its env var). Returns "" or an error message. */
std::string setOption(Args* a, const std::string& name, const std::string& v) {
  ks::Config& c = a->cfg;
  long long n = 0;
  if (name == "listen") c.listen = v;
  else if (name == "db") c.db = v, a->dbGiven = true;
  else if (name == "policies") c.policiesDir = v;
  else if (name == "policies-url") c.policiesUrl = v;
  else if (name == "origin") c.origins.push_back(v);
  else if (name == "origins") c.origins = splitComma(v);
  else if (name == "admin-token-file") c.adminTokenFile = v;
  else if (name == "key") c.keyPath = v, a->keyGiven = true;
  else if (name == "export") a->exportFile = v;
  else if (name == "proof") a->proofFile = v;
  else if (name == "consistency") a->consistencyFile = v;
  else if (name == "old") a->oldFile = v;
  else if (name == "public-key") a->publicKey = v;
  else if (name == "new-key") a->newKeyPath = v;
  else if (name == "retention-days") {
    if (!parseInt(v, 0, 100000, &n)) return "--retention-days: expected a whole number of days >= 0, got '" + v + "'";
    c.retentionDays = int(n);
  } else if (name == "keep-ip") {
    if (v != "none" && v != "truncated") return "--keep-ip: expected none or truncated, got '" + v + "'";
    c.keepIp = v;
  } else if (name == "rate-limit") {
    size_t colon = v.find(':');
    long long r = 0, b = 0;
    if (!parseInt(v.substr(0, colon), 0, 1000000, &r) ||
        (colon != std::string::npos && !parseInt(v.substr(colon + 1), 1, 10000000, &b)))
      return "--rate-limit: expected PER_SECOND or PER_SECOND:BURST, got '" + v + "'";
    c.ratePerSecond = double(r);
    c.rateBurst = colon == std::string::npos ? double(r) * 4 : double(b);
  } else if (name == "checkpoint-seconds") {
    if (!parseInt(v, 1, 86400, &n)) return "--checkpoint-seconds: expected 1..86400, got '" + v + "'";
    c.checkpointSeconds = int(n);
  } else if (name == "trust-forwarded-for") {
    if (v != "yes" && v != "no") return "--trust-forwarded-for: expected yes or no, got '" + v + "'";
    c.trustForwardedFor = v == "yes";
  } else if (name == "threads") {
    if (!parseInt(v, 1, 256, &n)) return "--threads: expected 1..256, got '" + v + "'";
    c.threads = int(n);
  } else {
    return "unknown flag --" + name;
  }
  return "";
}

std::string fromEnv(Args* a) {
  static const std::pair<const char*, const char*> vars[] = {
      {"KELISIM_LISTEN", "listen"}, {"KELISIM_DB", "db"}, {"KELISIM_POLICIES", "policies"},
      {"KELISIM_POLICIES_URL", "policies-url"},
      {"KELISIM_ORIGINS", "origins"}, {"KELISIM_ADMIN_TOKEN_FILE", "admin-token-file"}, {"KELISIM_KEY", "key"},
      {"KELISIM_RETENTION_DAYS", "retention-days"}, {"KELISIM_KEEP_IP", "keep-ip"},
      {"KELISIM_RATE_LIMIT", "rate-limit"}, {"KELISIM_CHECKPOINT_SECONDS", "checkpoint-seconds"},
      {"KELISIM_THREADS", "threads"}, {"KELISIM_TRUST_FORWARDED_FOR", "trust-forwarded-for"}};
  for (const auto& kv : vars) {
    const char* v = std::getenv(kv.first);
    if (!v || !*v) continue;
    std::string err = setOption(a, kv.second, v);
    if (!err.empty()) return std::string(kv.first) + ": " + err;
  }
  return "";
}

/** 0 = parsed; 2 = usage error (printed); -1 = --help/--version printed (exit 0). */
int parseArgs(int argc, char** argv, Args* a) {
  std::string envErr = fromEnv(a);
  if (!envErr.empty()) return usageError(envErr);
  bool envOrigins = !a->cfg.origins.empty();
  int i = 1;
  if (i < argc && argv[i][0] != '-') {
    a->command = argv[i++];
    if (a->command != "serve" && a->command != "keygen" && a->command != "verify" && a->command != "rotate-key")
      return usageError("unknown command '" + a->command + "'");
  }
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return -1;
    }
    if (arg == "--version") {
      std::printf("kelisim-server %s\n", KELISIM_VERSION);
      return -1;
    }
    if (arg.rfind("--", 0) != 0) return usageError("unexpected argument '" + arg + "'");
    std::string name = arg.substr(2), value;
    size_t eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= argc) return usageError("--" + name + " needs a value");
      value = argv[++i];
    }
    if (name == "origin" && envOrigins) {  // flags replace KELISIM_ORIGINS rather than add to it
      a->cfg.origins.clear();
      envOrigins = false;
    }
    std::string err = setOption(a, name, value);
    if (!err.empty()) return usageError(err);
  }
  return 0;
}

std::string dirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

/** The signer for serve: --key, or with SQLite <db dir>/kelisim-ledger.key (created if absent). */
std::unique_ptr<ks::Signer> serveSigner(Args& a) {
  std::string err;
  if (a.keyGiven) {
    auto s = ks::Signer::load(a.cfg.keyPath, &err);
    if (!s) std::fprintf(stderr, "kelisim-server: %s\n", err.c_str());
    return s;
  }
  if (a.cfg.db.rfind("sqlite:", 0) != 0) {
    std::fprintf(stderr, "kelisim-server: --key PATH is required with PostgreSQL (create one: kelisim-server keygen --key PATH)\n");
    return nullptr;
  }
  std::string path = dirOf(a.cfg.db.substr(7)) + "/kelisim-ledger.key";
  bool created = false;
  auto s = ks::Signer::loadOrCreate(path, &created, &err);
  if (!s) {
    std::fprintf(stderr, "kelisim-server: %s\n", err.c_str());
    return nullptr;
  }
  std::fprintf(stderr, "kelisim-server: %s signing key %s (public key %s)\n", created ? "created" : "using",
               path.c_str(), s->publicKeyHex().c_str());
  return s;
}

bool readToken(const std::string& path, std::string* token, std::string* err) {
  std::ifstream in(path);
  if (!in) {
    *err = "--admin-token-file " + path + ": cannot read";
    return false;
  }
  std::getline(in, *token);
  while (!token->empty() && (token->back() == '\r' || token->back() == ' ' || token->back() == '\t')) token->pop_back();
  if (token->size() < 16) {
    *err = "--admin-token-file " + path + ": the token must be at least 16 characters";
    return false;
  }
  return true;
}

bool splitListen(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') *host = host->substr(1, host->size() - 2);
  long long p = 0;
  if (host->empty() || !parseInt(listen.substr(colon + 1), 0, 65535, &p)) return false;
  *port = int(p);
  return true;
}

/** Every route of the server. */
void addRoutes(httplib::Server& http, ks::App& app) {
  ks::addIngestRoutes(http, app);
  ks::addHealthRoutes(http, app);
  ks::addRecordRoutes(http, app);
  ks::addAdminPageRoutes(http, app);
}

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int serve(Args& a) {
  std::string host, err;
  int port = 0;
  if (!splitListen(a.cfg.listen, &host, &port)) return usageError("--listen: expected HOST:PORT, got '" + a.cfg.listen + "'");
  // SIGINT/SIGTERM are handled by one thread (sigwait); block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ks::App app;
  app.cfg = a.cfg;
  app.now = nowMs;
  auto policies = ks::Policies::load(a.cfg.policiesDir, &err);
  if (!policies) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  policies->setBaseUrl(a.cfg.policiesUrl);
  if (!a.cfg.adminTokenFile.empty() && !readToken(a.cfg.adminTokenFile, &app.adminToken, &err))
    return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  auto store = ks::openStore(a.cfg.db, &err);
  if (!store) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  ks::StoreError se = store->migrate();
  if (!se.ok()) return std::fprintf(stderr, "kelisim-server: migrations: %s\n", se.message.c_str()), 1;
  auto signer = serveSigner(a);
  if (!signer) return 1;
  ks::Writer writer(*store, *signer, nowMs, a.cfg.checkpointSeconds);
  if (!(se = writer.start()).ok()) return std::fprintf(stderr, "kelisim-server: %s\n", se.message.c_str()), 1;
  ks::RateLimiter limiter(a.cfg.ratePerSecond, a.cfg.rateBurst);
  app.store = store.get();
  app.policies = policies.get();
  app.signer = signer.get();
  app.writer = &writer;
  app.limiter = &limiter;

  httplib::Server http;
  http.set_payload_max_length(a.cfg.maxBodyBytes);
  // Nagle's algorithm + delayed ACK put a ~40 ms floor under every keep-alive request
  // (measured: bench/results/ledger-tcp-nodelay.md, 44 ms → 1 ms per request).
  http.set_tcp_nodelay(true);
  int threads = a.cfg.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  addRoutes(http, app);
  int bound = port == 0 ? http.bind_to_any_port(host) : (http.bind_to_port(host, port) ? port : -1);
  if (bound < 0) return std::fprintf(stderr, "kelisim-server: cannot listen on %s\n", a.cfg.listen.c_str()), 1;
  std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::printf("kelisim-server: listening on http://%s:%d (db %s, %zu policy versions, key %s)\n", shown.c_str(), bound,
              store->engine(), policies->size(), signer->publicKeyHex().c_str());
  std::fflush(stdout);

  std::atomic<bool> done{false};
  std::thread([&http, &done, sigs] {
    int sig = 0;
    sigwait(&sigs, &sig);
    std::fprintf(stderr, "kelisim-server: %s received, finishing\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    while (!http.is_running() && !done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    http.stop();
  }).detach();
  ks::RetentionTimer retention(app);  // --retention-days: now, then hourly
  retention.start();
  bool ok = http.listen_after_bind();  // returns after stop(): in-flight requests are finished
  done = true;
  retention.stop();
  writer.stop();                       // drains the queue, writes the final checkpoint
  ks::Head h;
  if (store->head(&h).ok())
    std::fprintf(stderr, "kelisim-server: stopped at seq %lld, last checkpoint seq %lld\n", (long long)h.seq,
                 (long long)writer.lastCheckpointSeq());
  return ok ? 0 : 1;
}

int keygen(Args& a) {
  if (!a.keyGiven) return usageError("keygen needs --key PATH");
  std::string err;
  if (!ks::Signer::create(a.cfg.keyPath, &err)) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  auto s = ks::Signer::load(a.cfg.keyPath, &err);
  if (!s) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  std::printf("created %s\npublic key %s\n", a.cfg.keyPath.c_str(), s->publicKeyHex().c_str());
  return 0;
}

/** The ledger --db names, opened and migrated for a command that must not create one (a
 *  missing SQLite file is an error). nullptr after printing why. */
std::unique_ptr<ks::Store> openExistingLedger(const char* command, const std::string& db) {
  struct stat st;
  if (db.rfind("sqlite:", 0) == 0 && ::stat(db.c_str() + 7, &st) != 0)
    return std::fprintf(stderr, "kelisim-server: %s --db %s: no such file\n", command, db.c_str()), nullptr;
  std::string err;
  auto store = ks::openStore(db, &err);
  if (!store) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), nullptr;
  ks::StoreError se = store->migrate();
  if (!se.ok()) return std::fprintf(stderr, "kelisim-server: %s\n", se.message.c_str()), nullptr;
  return store;
}

/** rotate-key --db URL --key OLD --new-key NEW (created when absent): one cross-signed
 *  checkpoint at the head (ledger/writer.h rotateKey). */
int rotateKeyCommand(Args& a) {
  if (!a.dbGiven || !a.keyGiven || a.newKeyPath.empty())
    return usageError("rotate-key needs --db URL, --key OLD_PATH (the ledger's key) and --new-key NEW_PATH");
  std::string err;
  auto old = ks::Signer::load(a.cfg.keyPath, &err);
  if (!old) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  bool created = false;
  auto next = ks::Signer::loadOrCreate(a.newKeyPath, &created, &err);
  if (!next) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
  auto store = openExistingLedger("rotate-key", a.cfg.db);
  if (!store) return 1;
  ks::Checkpoint r;
  ks::StoreError se = ks::rotateKey(*store, *old, *next, nowMs(), &r);
  if (!se.ok()) return std::fprintf(stderr, "kelisim-server: rotate-key: %s\n", se.message.c_str()), 1;
  std::printf("%s %s\nrotated at seq %lld: %s -> %s\nrestart the server with --key %s\n",
              created ? "created" : "using", a.newKeyPath.c_str(), (long long)r.seq, r.prevKey.c_str(),
              r.publicKey.c_str(), a.newKeyPath.c_str());
  return 0;
}

/** verify --proof FILE: one proof document (GET /v1/proof/{id}) checked offline: its signature,
 *  and its checkpoint's, against the operator's public key. */
int verifyProofFile(const std::string& file, const std::string& pk) {
  std::ifstream in(file);
  if (!in) return std::fprintf(stderr, "kelisim-server: --proof %s: cannot read\n", file.c_str()), 1;
  std::stringstream text;
  text << in.rdbuf();
  std::string why;
  nlohmann::json doc;
  if (ks::verifyProof(text.str(), pk, &why, &doc)) {
    std::string signer = ks::jstr(doc, "publicKey");
    if (signer == pk) std::printf("valid proof, signed by %s\n", pk.c_str());
    else std::printf("valid proof, signed by %s, which its key history links to %s\n", signer.c_str(), pk.c_str());
    return 0;
  }
  std::printf("INVALID proof: %s\n", why.c_str());
  return 1;
}

/** verify --consistency FILE [--old FILE]: a consistency document (GET /v1/consistency) checked
 *  offline: both checkpoints signed by the key in force in the key history, then the path
 *  between their roots (RFC 9162 §2.1.4.2); with --old, that its older checkpoint signs the tree
 *  the one the auditor kept signs (the same seq, head and root). */
int verifyConsistencyFile(const std::string& file, const std::string& oldFile, const std::string& pk) {
  auto read = [](const std::string& flag, const std::string& path, std::string* text) {
    std::ifstream in(path);
    if (!in) return std::fprintf(stderr, "kelisim-server: --%s %s: cannot read\n", flag.c_str(), path.c_str()), false;
    std::stringstream s;
    s << in.rdbuf();
    *text = s.str();
    return true;
  };
  std::string text, oldText, why;
  if (!read("consistency", file, &text) || (!oldFile.empty() && !read("old", oldFile, &oldText))) return 1;
  ks::Checkpoint kept;
  if (!oldFile.empty() && !ks::readKeptCheckpoint(oldText, &kept, &why))
    return std::fprintf(stderr, "kelisim-server: --old %s: %s\n", oldFile.c_str(), why.c_str()), 1;
  ks::ConsistencyProof p;
  if (!ks::verifyConsistencyProof(text, pk, &why, &p)) {
    std::printf("INVALID consistency proof: %s\n", why.c_str());
    return 1;
  }
  if (!oldFile.empty() && kept.root.empty()) {
    std::printf("INVALID consistency proof: the checkpoint you kept (seq %lld) signs no Merkle root (written before "
                "roots): no consistency proof starts there\n",
                (long long)kept.seq);
    return 1;
  }
  if (!oldFile.empty() && !ks::sameTree(kept, p.from)) {
    std::printf("INVALID consistency proof: its older checkpoint (seq %lld, root %s) does not sign the tree the one you "
                "kept signs (seq %lld, root %s)\n",
                (long long)p.from.seq, p.from.root.c_str(), (long long)kept.seq, kept.root.c_str());
    return 1;
  }
  std::printf("valid consistency proof: the checkpoint at seq %lld (root %s) extends the one at seq %lld (root %s)%s\n",
              (long long)p.to.seq, p.to.root.c_str(), (long long)p.from.seq, p.from.root.c_str(),
              oldFile.empty() ? "" : ", the one you kept");
  return 0;
}

int verify(Args& a) {
  if (int(a.dbGiven) + int(!a.exportFile.empty()) + int(!a.proofFile.empty()) + int(!a.consistencyFile.empty()) != 1)
    return usageError("verify needs exactly one of --db URL, --export FILE, --proof FILE or --consistency FILE");
  if (!a.oldFile.empty() && a.consistencyFile.empty()) return usageError("--old belongs to verify --consistency");
  std::string pk = a.publicKey, err;
  if (!pk.empty() && a.keyGiven) return usageError("verify takes --public-key or --key, not both");
  if (pk.empty() && a.keyGiven) {
    auto s = ks::Signer::load(a.cfg.keyPath, &err);
    if (!s) return std::fprintf(stderr, "kelisim-server: %s\n", err.c_str()), 1;
    pk = s->publicKeyHex();
  }
  unsigned char raw[32];
  if (pk.empty()) return usageError("verify needs the operator's public key: --public-key HEX or --key PATH");
  if (!ks::fromHex(pk, raw, 32)) return usageError("--public-key: expected 64 hex digits");
  if (!a.proofFile.empty()) return verifyProofFile(a.proofFile, pk);
  if (!a.consistencyFile.empty()) return verifyConsistencyFile(a.consistencyFile, a.oldFile, pk);
  ks::VerifyResult r;
  if (a.dbGiven) {
    auto store = openExistingLedger("verify", a.cfg.db);
    if (!store) return 1;
    r = ks::verifyStore(*store, pk);
  } else {
    std::ifstream in(a.exportFile);
    if (!in) return std::fprintf(stderr, "kelisim-server: --export %s: cannot read\n", a.exportFile.c_str()), 1;
    ks::ExportData d;
    if (!ks::readExport(in, &d, &err))
      return std::fprintf(stderr, "kelisim-server: %s: %s\n", a.exportFile.c_str(), err.c_str()), 1;
    if (d.publicKey != pk)
      std::fprintf(stderr, "kelisim-server: note: the export names public key %s, verifying against %s\n",
                   d.publicKey.c_str(), pk.c_str());
    ks::Verifier v(pk, d.checkpoints, d.fromSeq, d.prevHash);
    v.setKeyHistory(d.keyRotations);
    v.expectEnd(d.headSeq, d.headHash);
    for (const ks::Row& row : d.rows)
      if (!v.add(row)) break;
    r = v.finish();
  }
  if (r.valid) {
    std::printf("%s\n", r.message.c_str());
    return 0;
  }
  std::printf("INVALID at seq %lld: %s\n", (long long)r.firstBadSeq, r.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  int rc = parseArgs(argc, argv, &a);
  if (rc == -1) return 0;
  if (rc != 0) return rc;
  if (a.command == "keygen") return keygen(a);
  if (a.command == "verify") return verify(a);
  if (a.command == "rotate-key") return rotateKeyCommand(a);
  if (!a.exportFile.empty() || !a.proofFile.empty() || !a.consistencyFile.empty() || !a.oldFile.empty() ||
      !a.publicKey.empty())
    return usageError("--export/--proof/--consistency/--old/--public-key belong to verify");
  if (!a.newKeyPath.empty()) return usageError("--new-key belongs to rotate-key");
  return serve(a);
}
