// What the operator-side tests (views, proof, erasure, retention, routes) share: a real SQLite
// ledger in a temp folder with the committed policies (policies/, a `kelisim build` output),
// a real signer and writer, and visitor events made valid by the core itself — apply() and
// decide() over the policy's manifest, exactly as the page makes them — and sent through the
// server's own ingest (parseEvents) and writer.
#pragma once
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app.h"
#include "core/consent.h"
#include "core/ledger.h"
#include "ledger/ingest.h"
#include "ledger/merkle.h"
#include "ledger/policies.h"
#include "ledger/signer.h"
#include "ledger/views.h"
#include "ledger/writer.h"
#include "store/store.h"
#include "store_test_util.h"

namespace kelisim {
namespace server {
namespace ops_test {

using ojson = nlohmann::ordered_json;

inline int64_t at(const char* iso) {
  int64_t ms;
  int32_t off;
  EXPECT_TRUE(parseInstant(iso, &ms, &off)) << iso;
  return ms;
}

inline std::string randomToken(size_t n) {
  static std::mt19937_64 rng(std::random_device{}());
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  for (size_t i = 0; i < n; ++i) s += abc[rng() % 62];
  return s;
}

/** The core's Manifest for a policy version the server loaded (its strings view `pv`). */
inline Manifest manifestOf(const PolicyVersion& pv) {
  Manifest m;
  m.policyId = pv.id;
  m.version = pv.version;
  m.bodyHash = pv.bodyHash;
  m.publishedAtMs = pv.hasPublishedAt ? pv.publishedAtMs : 0;
  m.offsetMinutes = pv.offsetMinutes;
  m.rule = pv.ruleType == "explicit" ? UpdateRule::Explicit : UpdateRule::Implicit;
  m.implicitDays = pv.ruleDays;
  m.material = pv.material;
  for (const std::string& c : pv.categories) {
    bool required = std::find(pv.required.begin(), pv.required.end(), c) != pv.required.end();
    m.categories.push_back({c, required, false});
  }
  return m;
}

/** One visitor's page: holds the stored record string, as the browser would. */
struct Visitor {
  std::string recordId = randomToken(12);
  std::string stored;  // the record string ("" = none yet)
  std::string lastDisplay;
};

/** A real ledger: a temp SQLite file (or, with engine "postgres", a fresh database on the
 *  fixture PostgreSQL: missing, the test fails), the committed policies, a fresh Ed25519 key,
 *  the writer. */
class Ledger {
 public:
  /** blockLeaves: the Merkle block size of the writer, the routes and checkpoint() (small in
   *  the tests of the block cache, so that a few rows span several blocks). */
  explicit Ledger(const std::string& engine = "sqlite", int64_t blockLeaves = kMerkleBlockLeaves) {
    dir = std::filesystem::temp_directory_path() / ("kelisim-ops-" + randomToken(12));
    std::filesystem::create_directories(dir);
    std::string err, db = "sqlite:" + (dir / "ledger.db").string();
    if (engine == "postgres") {
      pg = std::make_unique<testing_util::PgTestDb>();
      EXPECT_EQ(pg->error, "");
      db = pg->uri();
    }
    store = openStore(db, &err);
    EXPECT_TRUE(store) << db << ": " << err;
    EXPECT_EQ(store->engine(), engine);
    EXPECT_TRUE(store->migrate().ok());
    policies = Policies::load(std::string(KELISIM_SOURCE_DIR) + "/policies", &err);
    EXPECT_TRUE(policies) << err;
    EXPECT_TRUE(Signer::create((dir / "key").string(), &err)) << err;
    signer = Signer::load((dir / "key").string(), &err);
    EXPECT_TRUE(signer) << err;
    app.store = store.get();
    app.policies = policies.get();
    app.signer = signer.get();
    app.adminToken = "test-token-" + randomToken(24);
    app.now = [this] { return nowMs; };
    app.merkleBlockLeaves = blockLeaves;
    writer = std::make_unique<Writer>(*store, *signer, app.now, 3600);
    writer->setMerkleBlockLeaves(blockLeaves);
    EXPECT_TRUE(writer->start().ok());
    app.writer = writer.get();
  }
  ~Ledger() {
    if (writer) writer->stop();
    writer.reset();
    store.reset();
    pg.reset();
    std::filesystem::remove_all(dir);
  }

  const PolicyVersion& policy(const char* id, const char* version) {
    const PolicyVersion* pv = policies->find(id, version);
    EXPECT_TRUE(pv) << id << " " << version;
    return *pv;
  }

  /** Sends events through the server's ingest and writer, with the server clock at nowMs.
   *  Returns the seqs. */
  std::vector<int64_t> ingest(const ojson& events) {
    std::vector<CheckedEvent> checked;
    IngestError e = parseEvents(events.dump(), IngestOptions(), policies.get(), "127.0.0.1", &checked);
    EXPECT_TRUE(e.ok()) << e.code << ": " << e.message << " at " << e.index << "\n" << events.dump(2);
    std::vector<NewRow> rows;
    for (CheckedEvent& c : checked) rows.push_back(c.row);
    SubmitResult r = writer->submit(rows);
    EXPECT_TRUE(r.error.ok()) << r.error.message;
    std::vector<int64_t> seqs;
    for (const AppendResult& a : r.results) seqs.push_back(a.seq);
    return seqs;
  }

  /** The page showing a display (banner, preferences, update-notice, …) at client time t. */
  ojson display(Visitor& v, const PolicyVersion& pv, const std::string& kind, int64_t t,
                const ojson& strings = {{"title", "Cookies"}, {"text", "We use cookies."}},
                const std::string& reason = "no-record", const ojson& deadline = nullptr) {
    v.lastDisplay = "d-" + randomToken(16);
    ojson cats = ojson::array();
    for (const std::string& c : pv.categories) cats.push_back(c);
    return {{"type", "kelisim:display"},
            {"v", 2},
            {"id", v.lastDisplay},
            {"recordId", v.recordId},
            {"policy", {{"id", pv.id}, {"version", pv.version}, {"bodyHash", pv.bodyHash}}},
            {"language", "ru"},
            {"display",
             {{"kind", kind},
              {"reason", reason},
              {"layout", "bar"},
              {"at", isoUtc(t)},
              {"atMs", t},
              {"deadline", deadline},
              {"categories", cats},
              {"strings", strings}}}};
  }

  /** The change event of a history entry the core made, with the record string after it. */
  ojson change(Visitor& v, const PolicyVersion& pv, const Record& rec, const HistoryEntry& e, bool onDisplay = true) {
    ojson choices = ojson::object(), docs = ojson::object();
    for (const Choice& c : e.choices) {
      choices[std::string(c.category.view())] = c.on;
      if (!c.doc.empty()) docs[std::string(c.category.view())] = std::string(c.doc.view());
    }
    v.stored = encodeRecord(rec).str();
    ojson ev = {{"type", "kelisim:consent-event"},
            {"v", 2},
            {"id", std::string(e.hash.view())},
            {"recordId", v.recordId},
            {"record", v.stored},
            {"policy", {{"id", pv.id}, {"version", pv.version}, {"bodyHash", pv.bodyHash}}},
            {"controller", "ТОО «BTS Digital»"},
            {"language", "ru"},
            {"display", onDisplay && !v.lastDisplay.empty() ? ojson(v.lastDisplay) : ojson()},
            {"event",
             {{"op", name(e.op)},
              {"at", isoUtc(e.atMs)},
              {"atMs", e.atMs},
              {"version", std::string(e.version.view())},
              {"method", name(e.method)},
              {"choices", choices},
              {"prevHash", std::string(e.prevHash.view())},
              {"hash", std::string(e.hash.view())}}}};
    if (!docs.empty()) ev["event"]["docs"] = docs;  // as the page sends them (docs/ledger.md)
    return ev;
  }

  /** The visitor presses a button (op) on version pv at client time t. */
  /** `docs`: category → its consent document's hash, as the manifest links them. */
  ojson press(Visitor& v, const PolicyVersion& pv, Op op, int64_t t, Choices set = {},
              const std::map<std::string, std::string>& docs = {}) {
    Manifest m = manifestOf(pv);
    for (CategorySpec& c : m.categories) {
      auto d = docs.find(std::string(c.id));
      if (d != docs.end()) c.docHash = d->second;
    }
    ApplyInput in;
    in.op = op;
    in.choices = set;
    in.newId = v.recordId;
    ApplyResult r;
    Status s = apply(m, v.stored, t, Signals(), in, &r);
    EXPECT_TRUE(s.ok()) << s.message();
    return change(v, pv, r.record, r.entry);
  }

  /** The page loads at client time t: decide(); an implicit acceptance (the core's) becomes
   *  its change event. Returns null when the core decided something else. */
  ojson load(Visitor& v, const PolicyVersion& pv, int64_t t, Decision* out = nullptr) {
    Manifest m = manifestOf(pv);
    Decision d;
    Status s = decide(m, v.stored, t, Signals(), &d);
    EXPECT_TRUE(s.ok()) << s.message();
    if (out) *out = d;
    if (!d.hasNewRecord) return ojson();
    return change(v, pv, d.newRecord, d.entry, false);
  }

  /** Signs and stores a checkpoint of the current head at nowMs (as the writer's checkpointer
   *  does; done here so the test decides when). */
  /** A checkpoint at the head with its Merkle root, as the writer writes one. */
  void checkpoint() {
    Head h;
    ASSERT_TRUE(store->head(&h).ok());
    ledger::MerkleFrontier tree;
    ASSERT_TRUE(frontierAt(*store, h.seq, &tree).ok());
    ASSERT_TRUE(storeMerkleBlocks(*store, h.seq, app.merkleBlockLeaves).ok());
    Checkpoint c = signer->checkpoint(h.seq, h.hash, nowMs, tree.root());
    c.frontier = tree.text();
    ASSERT_TRUE(store->addCheckpoint(c).ok());
  }

  /** The record's rows and the row hash before each, read back from the store. */
  void read(const std::string& recordId, std::vector<Row>* rows, std::map<int64_t, std::string>* prev) {
    ASSERT_TRUE(store->rowsOfRecord(recordId, rows).ok());
    for (const Row& r : *rows) {
      if (r.seq == 1) {
        (*prev)[1] = ledger::kGenesis;
        continue;
      }
      std::vector<Row> p;
      ASSERT_TRUE(store->rowsBySeq(r.seq - 1, r.seq, 1, &p).ok());
      ASSERT_EQ(p.size(), 1u);
      (*prev)[r.seq] = p[0].rowHash;
    }
  }

  RecordView view(const std::string& recordId) {
    std::vector<Row> rows;
    std::map<int64_t, std::string> prev;
    read(recordId, &rows, &prev);
    return buildRecordView(recordId, rows, prev, policies.get());
  }

  std::filesystem::path dir;
  std::unique_ptr<testing_util::PgTestDb> pg;
  std::unique_ptr<Store> store;
  std::unique_ptr<Policies> policies;
  std::unique_ptr<Signer> signer;
  std::unique_ptr<Writer> writer;
  App app;
  int64_t nowMs = 1796551200000;  // 2026-12-06T10:00:00Z, the server clock the tests control
};

/** The operator routes and the admin page of `app`, served on 127.0.0.1 until destruction. */
class Served {
 public:
  explicit Served(App& app) {
    addRecordRoutes(http_, app);
    addAdminPageRoutes(http_, app);
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
    while (!http_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ~Served() {
    http_.stop();
    thread_.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(10, 0);
    return c;
  }

 private:
  httplib::Server http_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace ops_test
}  // namespace server
}  // namespace kelisim
