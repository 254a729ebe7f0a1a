// ledger/writer: one writer thread, group commit, checkpoints. On a real SQLite file; the
// counting wrapper only counts the calls it passes on to the real store.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "core/ledger.h"
#include "ledger/signer.h"
#include "ledger/verify.h"
#include "ledger/writer.h"
#include "server_test_util.h"
#include "store_test_util.h"
#include "store/store.h"

using namespace kelisim;
using namespace kelisim::server;
using namespace kelisim::server::testutil;

namespace {

/** The real store, with append() calls counted. */
class CountingStore : public testing_util::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<int> appends{0};
  StoreError append(const std::vector<NewRow>& rows, int64_t at, const Sealer& seal, std::vector<AppendResult>* out) override {
    ++appends;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a slow disk: requests pile up meanwhile
    return ForwardingStore::append(rows, at, seal, out);
  }
};

NewRow row(const std::string& recordId, const std::string& eventId) {
  NewRow r;
  r.eventKey = ledger::eventKey(recordId, eventId);
  r.kind = "display";
  r.op = "banner";
  r.policyId = "p";
  r.policyVersion = "1";
  r.recordId = recordId;
  r.body = "{\"type\":\"display\",\"id\":\"" + eventId +
           "\",\"policy\":{\"id\":\"p\",\"version\":\"1\"},\"display\":{\"kind\":\"banner\",\"atMs\":0}}";
  r.personal = "{\"recordId\":\"" + recordId + "\"}";
  r.personalHash = ledger::personalHash(r.personal);
  return r;
}

}  // namespace

TEST(ServerWriter, GroupsConcurrentSubmitsAndAnswersEachInOrder) {
  ASSERT_GE(sodium_init(), 0);
  TempDir dir;
  std::string err;
  auto real = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(real && real->migrate().ok()) << err;
  CountingStore store(*real);
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  auto signer = Signer::fromSecretKey(sk);
  Writer w(store, *signer, [] { return int64_t(1000); }, 3600);
  ASSERT_TRUE(w.start().ok());
  const int kThreads = 8, kEach = 10;
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string rid = "Writer_" + std::to_string(t);
        // Each submit: a new event and the previous one again (a retry): stored + duplicate.
        std::vector<NewRow> rows{row(rid, "e" + std::to_string(i))};
        if (i > 0) rows.push_back(row(rid, "e" + std::to_string(i - 1)));
        SubmitResult r = w.submit(rows);
        if (!r.error.ok() || r.results.size() != rows.size() || !r.results[0].stored ||
            (i > 0 && r.results[1].stored))
          ++bad;
      }
    });
  for (auto& t : ts) t.join();
  w.stop();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_LT(store.appends.load(), kThreads * kEach);  // group commit: fewer appends than submits
  Head h;
  ASSERT_TRUE(real->head(&h).ok());
  EXPECT_EQ(h.seq, kThreads * kEach);
  EXPECT_EQ(w.lastCheckpointSeq(), h.seq);  // the stop() checkpoint
  VerifyResult v = verifyStore(*real, signer->publicKeyHex());
  EXPECT_TRUE(v.valid) << v.message;
  // After stop(): refused, not lost silently.
  SubmitResult late = w.submit({row("Writer_9", "late")});
  EXPECT_FALSE(late.error.ok());
  EXPECT_TRUE(late.error.unavailable);
}

TEST(ServerWriter, ChecksPointsPeriodicallyWhenTheHeadMoved) {
  ASSERT_GE(sodium_init(), 0);
  TempDir dir;
  std::string err;
  auto store = openSqliteStore(dir.path + "/l.db", &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  auto signer = Signer::fromSecretKey(sk);
  std::atomic<int64_t> clock{1000};
  Writer w(*store, *signer, [&] { return clock.load(); }, 1);
  ASSERT_TRUE(w.start().ok());
  ASSERT_TRUE(w.submit({row("Writer_A", "e1")}).error.ok());
  clock += 1500;  // past checkpointSeconds
  for (int i = 0; i < 40 && w.lastCheckpointSeq() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(w.lastCheckpointSeq(), 1);
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  ASSERT_EQ(cps.size(), 1u);
  // Nothing new: no second checkpoint, even after more time and at stop().
  clock += 5000;
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  w.stop();
  ASSERT_TRUE(store->checkpoints(&cps).ok());
  EXPECT_EQ(cps.size(), 1u);
}

TEST(ServerWriter, ALockedDatabaseIsUnavailableAndNothingIsAcknowledged) {
  ASSERT_GE(sodium_init(), 0);
  TempDir dir;
  std::string path = dir.path + "/l.db", err;
  auto store = openSqliteStore(path, &err);
  ASSERT_TRUE(store && store->migrate().ok()) << err;
  unsigned char pk[32], sk[64];
  crypto_sign_keypair(pk, sk);
  auto signer = Signer::fromSecretKey(sk);
  Writer w(*store, *signer, [] { return int64_t(1000); }, 3600);
  ASSERT_TRUE(w.start().ok());
  ASSERT_TRUE(w.submit({row("Writer_L", "e1")}).error.ok());
  // Another process holds the write lock longer than the busy timeout (5 s).
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  SubmitResult r = w.submit({row("Writer_L", "e2")});
  EXPECT_FALSE(r.error.ok());
  EXPECT_TRUE(r.error.unavailable) << r.error.message;  // → HTTP 503
  EXPECT_TRUE(r.results.empty());
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  // Retried once the lock is gone: stored, and the chain has no gap.
  r = w.submit({row("Writer_L", "e2")});
  ASSERT_TRUE(r.error.ok()) << r.error.message;
  EXPECT_EQ(r.results[0].seq, 2);
  w.stop();
  EXPECT_TRUE(verifyStore(*store, signer->publicKeyHex()).valid);
}
