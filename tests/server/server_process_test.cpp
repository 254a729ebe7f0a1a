// The real kelisim-server binary (KELISIM_SERVER_EXE) on 127.0.0.1:0 with a temp SQLite file,
// spoken to over HTTP: the answers of POST /v1/events, CORS, limits, SIGTERM, the verify CLI,
// and kill -9 under load: every event that got a 202 is there after a restart.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/ledger.h"
#include "ledger/consistency.h"
#include "ledger/export.h"
#include "ledger/merkle.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include <fstream>
#include "server_test_util.h"
#include "store_test_util.h"
#include "store/store.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

namespace {

const char* kOrigin = "https://shop.example";

/** kelisim-server serve, started with args; port read from its "listening on" line. */
class ServerProcess {
 public:
  explicit ServerProcess(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv{const_cast<char*>(KELISIM_SERVER_EXE)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(KELISIM_SERVER_EXE, argv.data());
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512];
    if (f && fgets(line, sizeof line, f)) {
      std::string s = line;
      size_t at = s.find("http://127.0.0.1:");
      if (at != std::string::npos) port = std::atoi(s.c_str() + at + 17);
    }
    if (f) fclose(f);
  }
  ~ServerProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  /** Sends sig and returns the exit status (-1 when it did not exit normally). */
  int stop(int sig) {
    kill(pid_, sig);
    int st = 0;
    waitpid(pid_, &st, 0);
    exited_ = true;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    return c;
  }
  int port = 0;

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
};

/** Runs a command line; returns its exit code, its stdout in *out. */
int run(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  char buf[4096];
  out->clear();
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string exe() { return KELISIM_SERVER_EXE; }

std::vector<std::string> baseArgs(const TempDir& dir) {
  return {"--listen", "127.0.0.1:0", "--db", "sqlite:" + dir.path + "/l.db", "--policies",
          std::string(KELISIM_SOURCE_DIR) + "/policies", "--origin", kOrigin};
}

ojson oneChange(const std::string& rid) {
  std::string stored;
  return changeEvent(knownPolicy(), rid, Op::AcceptAll, 1796551200123, &stored);
}

}  // namespace

TEST(ServerProcess, AnswersIngestRequests) {
  TempDir dir;
  ServerProcess srv(baseArgs(dir));
  ASSERT_GT(srv.port, 0);
  auto c = srv.client();
  std::string body = oneChange("Visitor_P001").dump();
  auto r = c.Post("/v1/events", body, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  ojson j = ojson::parse(r->body);
  EXPECT_EQ(j["stored"], 1);
  EXPECT_EQ(j["results"][0]["status"], "stored");
  EXPECT_EQ(j["results"][0]["seq"], 1);
  // The same event again, as sendBeacon sends it (text/plain): a duplicate, same seq.
  r = c.Post("/v1/events", body, "text/plain;charset=UTF-8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(ojson::parse(r->body)["results"][0]["status"], "duplicate");
  // 400 names the event.
  ojson bad = oneChange("Visitor_P002");
  bad["event"]["hash"] = std::string(64, 'a');
  r = c.Post("/v1/events", ojson::array({oneChange("Visitor_P003"), bad}).dump(), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ojson::parse(r->body)["error"]["index"], 1) << r->body;
  // Origins: configured → CORS headers; other → 403; none (curl) → allowed.
  httplib::Headers ok{{"Origin", kOrigin}}, evil{{"Origin", "https://evil.example"}};
  r = c.Post("/v1/events", ok, oneChange("Visitor_P004").dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kOrigin);
  r = c.Post("/v1/events", evil, oneChange("Visitor_P005").dump(), "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  // Preflight.
  r = c.Options("/v1/events", httplib::Headers{{"Origin", kOrigin}, {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), kOrigin);
  EXPECT_NE(r->get_header_value("Access-Control-Allow-Methods").find("POST"), std::string::npos);
  r = c.Options("/v1/events", evil);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  // 413, 415.
  r = c.Post("/v1/events", std::string(300 * 1024, ' '), "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  r = c.Post("/v1/events", body, "application/xml");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  // Nothing of the refused requests was stored.
  r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(ojson::parse(r->body)["head"]["seq"], 2) << r->body;
  EXPECT_EQ(srv.stop(SIGTERM), 0);
}

TEST(ServerProcess, RateLimitAnswers429WithRetryAfter) {
  TempDir dir;
  auto args = baseArgs(dir);
  args.insert(args.end(), {"--rate-limit", "1:2"});
  ServerProcess srv(args);
  ASSERT_GT(srv.port, 0);
  auto c = srv.client();
  int last = 0;
  std::string retry;
  for (int i = 0; i < 4; ++i) {
    auto r = c.Post("/v1/events", oneChange("Visitor_R00" + std::to_string(i)).dump(), "application/json");
    ASSERT_TRUE(r);
    last = r->status;
    retry = r->get_header_value("Retry-After");
  }
  EXPECT_EQ(last, 429);
  EXPECT_GE(std::atoi(retry.c_str()), 1);
}

TEST(ServerProcess, SigtermWritesAFinalCheckpointAndVerifyAgrees) {
  TempDir dir;
  {
    ServerProcess srv(baseArgs(dir));
    ASSERT_GT(srv.port, 0);
    auto c = srv.client();
    for (int i = 0; i < 3; ++i)
      ASSERT_EQ(c.Post("/v1/events", oneChange("Visitor_S00" + std::to_string(i)).dump(), "application/json")->status, 202);
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  std::string err, out;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  ASSERT_FALSE(cps.empty());
  EXPECT_EQ(cps.back().seq, 3);
  std::string key = dir.path + "/kelisim-ledger.key";  // auto-created next to the database
  EXPECT_EQ(run(exe() + " verify --db sqlite:" + dir.path + "/l.db --key " + key, &out), 0) << out;
  EXPECT_NE(out.find("3 rows, 1 checkpoints"), std::string::npos) << out;
  // The same ledger as an export file, checked offline; then with one row's time changed.
  {
    std::vector<Row> rows;
    ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
    std::ofstream f(dir.path + "/export.jsonl");
    writeExport(rows, cps, rows.empty() ? "" : cps.back().publicKey, f);
  }
  EXPECT_EQ(run(exe() + " verify --export " + dir.path + "/export.jsonl --key " + key, &out), 0) << out;
  EXPECT_NE(out.find("3 rows, 1 checkpoints"), std::string::npos) << out;
  ASSERT_EQ(std::system(("sed -i '3s/\"serverAt\":\\([0-9]*\\)/\"serverAt\":1\\1/' " + dir.path + "/export.jsonl").c_str()), 0);
  EXPECT_EQ(run(exe() + " verify --export " + dir.path + "/export.jsonl --key " + key, &out), 1) << out;
  EXPECT_NE(out.find("INVALID at seq 2"), std::string::npos) << out;
  // A tampered row: exit 1, naming the position.
  ASSERT_EQ(rawSql(dir.path + "/l.db", "UPDATE events SET server_at = server_at + 1 WHERE seq = 2"), "");
  EXPECT_EQ(run(exe() + " verify --db sqlite:" + dir.path + "/l.db --key " + key, &out), 1) << out;
  EXPECT_NE(out.find("seq 2"), std::string::npos) << out;
  // Usage errors: exit 2 with a message.
  EXPECT_EQ(run(exe() + " verify --db sqlite:" + dir.path + "/l.db", &out), 2);
  EXPECT_NE(out.find("public key"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " verify --db sqlite:x --export y --key " + key, &out), 2);
  EXPECT_EQ(run(exe() + " --listen nowhere", &out), 2);
  EXPECT_NE(out.find("--listen"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " --keep-ip all", &out), 2);
  EXPECT_EQ(run(exe() + " keygen --key " + key, &out), 1);  // refuses to overwrite
  EXPECT_NE(out.find("refusing to overwrite"), std::string::npos) << out;
}

TEST(ServerProcess, VerifyConsistencyChecksADocumentOffline) {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {  // each SIGTERM writes a checkpoint: at seq 2, then seq 5
    ServerProcess srv(baseArgs(dir));
    ASSERT_GT(srv.port, 0);
    for (int i = 0; i < 2 + run; ++i)
      ASSERT_EQ(srv.client().Post("/v1/events", oneChange("Visitor_C" + std::to_string(run) + std::to_string(i) + "0").dump(),
                                  "application/json")->status,
                202);
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  std::string err, out, key = dir.path + "/kelisim-ledger.key";
  std::vector<Checkpoint> cps;
  {
    auto store = openSqliteStore(dir.path + "/l.db", &err);
    ASSERT_TRUE(store && store->migrate().ok()) << err;
    ASSERT_TRUE(store->checkpoints(&cps).ok());
    ASSERT_EQ(cps.size(), 2u);
    ASSERT_EQ(cps[1].seq, 5);
    std::vector<std::string> path;
    ASSERT_TRUE(consistencyPath(*store, cps[0].seq, cps[1].seq, &path).ok());
    std::ofstream(dir.path + "/doc.json") << buildConsistency(cps[0], cps[1], path, cps[1].publicKey, {}, 0).dump(2);
    std::ofstream(dir.path + "/kept.json") << checkpointJson(cps[0]).dump();
    std::ofstream(dir.path + "/newer.json") << checkpointJson(cps[1]).dump();
  }
  std::string doc = " --consistency " + dir.path + "/doc.json";
  EXPECT_EQ(run(exe() + " verify" + doc + " --key " + key, &out), 0) << out;
  EXPECT_NE(out.find("valid consistency proof: the checkpoint at seq 5"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " verify" + doc + " --old " + dir.path + "/kept.json --public-key " + cps[0].publicKey, &out), 0)
      << out;
  EXPECT_NE(out.find("the one you kept"), std::string::npos) << out;
  // Kept something else: the document does not start from it.
  EXPECT_EQ(run(exe() + " verify" + doc + " --old " + dir.path + "/newer.json --key " + key, &out), 1) << out;
  EXPECT_NE(out.find("does not sign the tree the one you kept signs"), std::string::npos) << out;
  // Kept another checkpoint of the same tree (the same seq, head and root signed again later, as
  // a key rotation at that head would be): the same tree, valid. Kept one from before roots: says so.
  {
    auto signer = Signer::load(key, &err);
    ASSERT_TRUE(signer) << err;
    std::ofstream(dir.path + "/again.json")
        << checkpointJson(signer->checkpoint(cps[0].seq, cps[0].head, cps[0].at + 1, cps[0].root)).dump();
    std::ofstream(dir.path + "/rootless.json") << checkpointJson(signer->checkpoint(cps[0].seq, cps[0].head, cps[0].at)).dump();
  }
  EXPECT_EQ(run(exe() + " verify" + doc + " --old " + dir.path + "/again.json --key " + key, &out), 0) << out;
  EXPECT_EQ(run(exe() + " verify" + doc + " --old " + dir.path + "/rootless.json --key " + key, &out), 1) << out;
  EXPECT_NE(out.find("signs no Merkle root"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " verify" + doc + " --old " + dir.path + "/doc.json.missing --key " + key, &out), 1) << out;
  // Another key; one hash of the path changed.
  ASSERT_EQ(run(exe() + " keygen --key " + dir.path + "/stranger.key", &out), 0) << out;
  EXPECT_EQ(run(exe() + " verify" + doc + " --key " + dir.path + "/stranger.key", &out), 1) << out;
  EXPECT_NE(out.find("INVALID consistency proof"), std::string::npos) << out;
  ojson edited = ojson::parse(std::ifstream(dir.path + "/doc.json"));
  std::string h = edited["path"][0];
  h[0] = h[0] == 'a' ? 'b' : 'a';
  edited["path"][0] = h;
  std::ofstream(dir.path + "/edited.json") << edited.dump();
  EXPECT_EQ(run(exe() + " verify --consistency " + dir.path + "/edited.json --key " + key, &out), 1) << out;
  EXPECT_NE(out.find("INVALID consistency proof: the path does not lead"), std::string::npos) << out;
  // Usage errors: exit 2.
  EXPECT_EQ(run(exe() + " verify --old " + dir.path + "/kept.json --db sqlite:" + dir.path + "/l.db --key " + key, &out), 2);
  EXPECT_NE(out.find("--old belongs to verify --consistency"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " verify" + doc + " --proof " + dir.path + "/doc.json --key " + key, &out), 2);
  EXPECT_EQ(run(exe() + " verify" + doc, &out), 2);
}

TEST(ServerProcess, RotateKeyHandsTheLedgerToANewKey) {
  TempDir dir;
  std::string db = "sqlite:" + dir.path + "/l.db", oldKey = dir.path + "/kelisim-ledger.key",
              newKey = dir.path + "/new.key", out;
  {
    ServerProcess srv(baseArgs(dir));  // creates kelisim-ledger.key next to the database
    ASSERT_GT(srv.port, 0);
    auto c = srv.client();
    for (int i = 0; i < 2; ++i)
      ASSERT_EQ(c.Post("/v1/events", oneChange("Visitor_R00" + std::to_string(i)).dump(), "application/json")->status, 202);
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  EXPECT_EQ(run(exe() + " rotate-key --db " + db + " --key " + oldKey, &out), 2) << out;
  EXPECT_NE(out.find("--new-key"), std::string::npos) << out;
  ASSERT_EQ(run(exe() + " rotate-key --db " + db + " --key " + oldKey + " --new-key " + newKey, &out), 0) << out;
  EXPECT_NE(out.find("created " + newKey), std::string::npos) << out;
  EXPECT_NE(out.find("rotated at seq 2"), std::string::npos) << out;
  EXPECT_EQ(run(exe() + " rotate-key --db " + db + " --key " + oldKey + " --new-key " + newKey, &out), 1) << out;
  EXPECT_NE(out.find("already signed by the new key"), std::string::npos) << out;
  // The old key (here the default key file next to the database) is refused from now on.
  std::string serveArgs;
  for (const std::string& a : baseArgs(dir)) serveArgs += " '" + a + "'";
  EXPECT_EQ(run(exe() + serveArgs, &out), 1) << out;
  EXPECT_NE(out.find("rotate-key"), std::string::npos) << out;
  {
    std::ofstream(dir.path + "/token") << "rotate-test-token-0123456789\n";
    std::vector<std::string> args = baseArgs(dir);
    args.insert(args.end(), {"--key", newKey, "--admin-token-file", dir.path + "/token"});
    ServerProcess srv(args);
    ASSERT_GT(srv.port, 0);
    ASSERT_EQ(srv.client().Post("/v1/events", oneChange("Visitor_R002").dump(), "application/json")->status, 202);
    // A proof made now (signed by the new key) of a record stored under the old one.
    auto proof = srv.client().Get("/v1/proof/Visitor_R000", {{"Authorization", "Bearer rotate-test-token-0123456789"}});
    ASSERT_TRUE(proof);
    ASSERT_EQ(proof->status, 200) << proof->body;
    std::ofstream(dir.path + "/proof.json") << proof->body;
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  EXPECT_EQ(run(exe() + " verify --proof " + dir.path + "/proof.json --key " + newKey, &out), 0) << out;
  EXPECT_EQ(run(exe() + " verify --proof " + dir.path + "/proof.json --key " + oldKey, &out), 0) << out;
  EXPECT_NE(out.find("which its key history links to"), std::string::npos) << out;
  for (const std::string& key : {oldKey, newKey}) {
    EXPECT_EQ(run(exe() + " verify --db " + db + " --key " + key, &out), 0) << out;
    EXPECT_NE(out.find("3 rows, 3 checkpoints"), std::string::npos) << out;
    EXPECT_NE(out.find("signing keys"), std::string::npos) << out;
  }
  ASSERT_EQ(run(exe() + " keygen --key " + dir.path + "/stranger.key", &out), 0) << out;
  EXPECT_EQ(run(exe() + " verify --db " + db + " --key " + dir.path + "/stranger.key", &out), 1) << out;
  EXPECT_NE(out.find("do not include the key named"), std::string::npos) << out;
}

TEST(ServerProcess, Kill9DuringLoadLosesNoAcknowledgedEvent) {
  TempDir dir;
  auto args = baseArgs(dir);
  args.insert(args.end(), {"--rate-limit", "0"});
  std::mutex mu;
  std::set<std::string> acked;  // event keys of events answered 202
  std::atomic<int> requests{0};
  {
    ServerProcess srv(args);
    ASSERT_GT(srv.port, 0);
    TestPolicy p = knownPolicy();
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto c = srv.client();
        c.set_connection_timeout(1, 0);
        for (int batch = 0; std::chrono::steady_clock::now() < until; ++batch) {
          ojson events = ojson::array();
          std::vector<std::string> keys;
          for (int i = 0; i < 10; ++i) {
            std::string rid = "Load_" + std::to_string(t) + "_" + std::to_string(batch);
            std::string id = "d-" + std::to_string(t) + "x" + std::to_string(batch) + "x" + std::to_string(i) + "pppppppppppp";
            events.push_back(displayEvent(p, rid, id, 1796551200000));
            keys.push_back(ledger::eventKey(rid, id));
          }
          auto r = c.Post("/v1/events", events.dump(), "application/json");
          ++requests;
          if (r && r->status == 202) {
            std::lock_guard<std::mutex> lock(mu);
            acked.insert(keys.begin(), keys.end());
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));
    EXPECT_EQ(srv.stop(SIGKILL), -1);
    for (auto& th : threads) th.join();
  }
  ASSERT_GT(acked.size(), 0u) << requests.load() << " requests";
  // Restart on the same file: it opens, and answers.
  {
    ServerProcess srv(args);
    ASSERT_GT(srv.port, 0);
    auto r = srv.client().Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  std::string err, out;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  std::set<std::string> present;
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].seq, int64_t(i + 1));
    present.insert(rows[i].eventKey);
  }
  size_t missing = 0;
  for (const std::string& k : acked) missing += present.count(k) ? 0 : 1;
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
  EXPECT_EQ(run(exe() + " verify --db sqlite:" + dir.path + "/l.db --key " + dir.path + "/kelisim-ledger.key", &out), 0)
      << out;
  std::printf("  [load] %d requests, %zu events acknowledged, %zu rows after kill -9\n", requests.load(), acked.size(),
              rows.size());
}

TEST(ServerProcess, RunsOnPostgresqlAndVerifies) {
  testing_util::PgTestDb db;  // a fresh database on the ctest fixture's PostgreSQL
  ASSERT_TRUE(db.error.empty()) << db.error;
  TempDir dir;
  std::string out, key = dir.path + "/k";
  ASSERT_EQ(run(exe() + " keygen --key " + key, &out), 0) << out;
  // Without --key PostgreSQL is refused (no silent key next to a database file).
  EXPECT_EQ(run(exe() + " --listen 127.0.0.1:0 --db '" + db.uri() + "'", &out), 1);
  EXPECT_NE(out.find("--key PATH is required"), std::string::npos) << out;
  {
    ServerProcess srv({"--listen", "127.0.0.1:0", "--db", db.uri(), "--key", key, "--policies",
                       std::string(KELISIM_SOURCE_DIR) + "/policies"});
    ASSERT_GT(srv.port, 0);
    auto c = srv.client();
    std::string body = ojson::array({oneChange("Visitor_G001"), oneChange("Visitor_G002")}).dump();
    auto r = c.Post("/v1/events", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 202) << r->body;
    r = c.Post("/v1/events", body, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(ojson::parse(r->body)["duplicates"], 2) << r->body;
    r = c.Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(ojson::parse(r->body)["db"], "postgres");
    EXPECT_EQ(srv.stop(SIGTERM), 0);
  }
  EXPECT_EQ(run(exe() + " verify --db '" + db.uri() + "' --key " + key, &out), 0) << out;
  EXPECT_NE(out.find("2 rows, 1 checkpoints"), std::string::npos) << out;
}

TEST(ServerProcess, BehindAProxyTheLastForwardedAddressIsTheClient) {
  TempDir dir;
  auto args = baseArgs(dir);
  args.insert(args.end(), {"--rate-limit", "1:2", "--trust-forwarded-for", "yes", "--keep-ip", "truncated"});
  ServerProcess srv(args);
  ASSERT_GT(srv.port, 0);
  auto c = srv.client();
  auto post = [&](const std::string& xff, int i) {
    auto r = c.Post("/v1/events", httplib::Headers{{"X-Forwarded-For", xff}},
                    oneChange("Visitor_X00" + std::to_string(i)).dump(), "application/json");
    return r ? r->status : 0;
  };
  // Client A uses its 2 tokens; forging a first entry does not give it a new bucket.
  EXPECT_EQ(post("198.51.100.10", 0), 202);
  EXPECT_EQ(post("203.0.113.9, 198.51.100.10", 1), 202);
  EXPECT_EQ(post("192.0.2.1, 198.51.100.10", 2), 429);
  // Client B, through the same proxy, has its own bucket.
  EXPECT_EQ(post("198.51.100.20", 3), 202);
  EXPECT_EQ(srv.stop(SIGTERM), 0);
  std::string err;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  std::vector<Row> rows;
  ASSERT_TRUE(store->rowsBySeq(1, 0, 0, &rows).ok());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(ojson::parse(*rows[2].personal)["ip"], "198.51.100.0/24");
}
