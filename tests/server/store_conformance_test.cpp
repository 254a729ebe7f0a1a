// The Store contract (server/src/store/store.h, docs/ledger.md §3–4), run against both engines:
// a temporary SQLite file and a fresh database on the throwaway PostgreSQL 15 the ctest
// fixture starts (scripts/pg-test.sh). A missing PostgreSQL fails these tests; it never skips.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/ledger.h"
#include "store/store.h"
#include "store_test_util.h"

namespace kelisim {
namespace server {
namespace {

using testing_util::changeRow;
using testing_util::chainProblem;
using testing_util::sealer;

const int64_t kT0 = 1796551200000;  // 2026-12-06T10:00:00Z

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      dir_ = std::filesystem::temp_directory_path() / ("kelisim-store-" + testing_util::randomHex(12));
      std::filesystem::create_directories(dir_);
      db_ = "sqlite:" + (dir_ / "ledger.db").string();
    } else {
      pg_ = std::make_unique<testing_util::PgTestDb>();
      ASSERT_EQ(pg_->error, "");
      db_ = pg_->uri();
    }
    reopen();
  }
  void TearDown() override {
    store_.reset();
    pg_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  /** Closes the store (if open) and opens the same database again, migrations run. */
  void reopen() {
    store_.reset();
    std::string err;
    store_ = openStore(db_, &err);
    ASSERT_TRUE(store_) << db_ << ": " << err;
    EXPECT_STREQ(store_->engine(), GetParam().c_str());
    StoreError e = store_->migrate();
    ASSERT_TRUE(e.ok()) << e.message;
  }

  std::vector<AppendResult> append(const std::vector<NewRow>& rows, int64_t at) {
    std::vector<AppendResult> out;
    StoreError e = store_->append(rows, at, sealer(), &out);
    EXPECT_TRUE(e.ok()) << e.message;
    EXPECT_EQ(out.size(), e.ok() ? rows.size() : 0u);
    return out;
  }

  std::vector<Row> all() {
    std::vector<Row> rows;
    StoreError e = store_->rowsBySeq(1, 0, 1000000, &rows);
    EXPECT_TRUE(e.ok()) << e.message;
    return rows;
  }

  Head head() {
    Head h;
    StoreError e = store_->head(&h);
    EXPECT_TRUE(e.ok()) << e.message;
    return h;
  }

  std::unique_ptr<Store> store_;
  std::string db_;
  std::filesystem::path dir_;
  std::unique_ptr<testing_util::PgTestDb> pg_;
};

std::vector<int64_t> seqs(const std::vector<Row>& rows) {
  std::vector<int64_t> s;
  for (const Row& r : rows) s.push_back(r.seq);
  return s;
}

TEST_P(StoreConformance, EmptyLedgerHeadIsGenesis) {
  Head h = head();
  EXPECT_EQ(h.seq, 0);
  EXPECT_EQ(h.hash, ledger::kGenesis);
  EXPECT_TRUE(all().empty());
  std::vector<AppendResult> out;
  StoreError e = store_->append({}, kT0, sealer(), &out);
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(head().seq, 0);
}

TEST_P(StoreConformance, AppendNumbersRowsAndChainsTheirHashes) {
  auto first = append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2"), changeRow("rec-bbbb-2", "e1")}, kT0);
  ASSERT_EQ(first.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(first[i].stored);
    EXPECT_EQ(first[i].seq, i + 1);
  }
  auto second = append({changeRow("rec-cccc-3", "e1")}, kT0 + 5);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_TRUE(second[0].stored);
  EXPECT_EQ(second[0].seq, 4);

  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(chainProblem(rows), "");
  EXPECT_EQ(rows[0].rowHash, ledger::rowHash(ledger::kGenesis, 1, kT0, rows[0].eventKey, rows[0].personalHash, rows[0].body));
  EXPECT_EQ(rows[3].serverAt, kT0 + 5);
  Head h = head();
  EXPECT_EQ(h.seq, 4);
  EXPECT_EQ(h.hash, rows[3].rowHash);

  // Every field comes back as appended.
  NewRow want = changeRow("rec-aaaa-1", "e2");
  const Row& got = rows[1];
  EXPECT_EQ(got.eventKey, want.eventKey);
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.op, want.op);
  EXPECT_EQ(got.method, want.method);
  EXPECT_EQ(got.policyId, want.policyId);
  EXPECT_EQ(got.policyVersion, want.policyVersion);
  EXPECT_EQ(got.clientAt, want.clientAt);
  EXPECT_EQ(got.recordId, std::optional<std::string>(want.recordId));
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.personal, std::optional<std::string>(want.personal));
  EXPECT_EQ(got.personalHash, want.personalHash);
  EXPECT_EQ(got.serverAt, kT0);
  EXPECT_FALSE(got.erasedAt.has_value());
}

TEST_P(StoreConformance, AppendPassesTheSealerTheChainInOrder) {
  append({changeRow("rec-aaaa-1", "e1")}, kT0);
  std::vector<std::string> prevs;
  std::vector<int64_t> sealedSeqs;
  Sealer recording = [&](const std::string& prev, int64_t seq, int64_t at, const NewRow& row) {
    prevs.push_back(prev);
    sealedSeqs.push_back(seq);
    return ledger::rowHash(prev, seq, at, row.eventKey, row.personalHash, row.body);
  };
  std::vector<AppendResult> out;
  StoreError e = store_->append({changeRow("rec-aaaa-1", "e2"), changeRow("rec-aaaa-1", "e3")}, kT0 + 1, recording, &out);
  ASSERT_TRUE(e.ok()) << e.message;
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 3u);
  // The sealer saw seq 2 with row 1's hash, then seq 3 with row 2's (possibly more calls for
  // duplicates, never fewer); the stored hashes are what it returned.
  ASSERT_GE(prevs.size(), 2u);
  EXPECT_EQ(sealedSeqs.front(), 2);
  EXPECT_EQ(prevs.front(), rows[0].rowHash);
  EXPECT_EQ(sealedSeqs.back(), 3);
  EXPECT_EQ(prevs.back(), rows[1].rowHash);
  EXPECT_EQ(chainProblem(rows), "");
}

TEST_P(StoreConformance, DuplicatesAcrossBatchesAreStoredOnce) {
  auto first = append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0);
  auto again = append({changeRow("rec-aaaa-1", "e2"), changeRow("rec-aaaa-1", "e3"), changeRow("rec-aaaa-1", "e1")}, kT0 + 1);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_FALSE(again[0].stored);
  EXPECT_EQ(again[0].seq, 2);
  EXPECT_TRUE(again[1].stored);
  EXPECT_EQ(again[1].seq, 3);
  EXPECT_FALSE(again[2].stored);
  EXPECT_EQ(again[2].seq, 1);
  // A batch of nothing but duplicates changes nothing.
  auto dupes = append({changeRow("rec-aaaa-1", "e3")}, kT0 + 2);
  ASSERT_EQ(dupes.size(), 1u);
  EXPECT_FALSE(dupes[0].stored);
  EXPECT_EQ(dupes[0].seq, 3);

  std::vector<Row> rows = all();
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(chainProblem(rows), "");
  EXPECT_EQ(head().seq, 3);
  EXPECT_EQ(head().hash, rows[2].rowHash);
  // The same event id in another record is another event (docs/ledger.md §2 idempotency).
  auto other = append({changeRow("rec-bbbb-2", "e1")}, kT0 + 3);
  ASSERT_EQ(other.size(), 1u);
  EXPECT_TRUE(other[0].stored);
  EXPECT_EQ(other[0].seq, 4);
}

TEST_P(StoreConformance, DuplicatesInsideOneBatchAreStoredOnce) {
  auto out = append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2"),
                     changeRow("rec-aaaa-1", "e1")},
                    kT0);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_TRUE(out[0].stored);
  EXPECT_EQ(out[0].seq, 1);
  EXPECT_FALSE(out[1].stored);
  EXPECT_EQ(out[1].seq, 1);
  EXPECT_TRUE(out[2].stored);
  EXPECT_EQ(out[2].seq, 2);
  EXPECT_FALSE(out[3].stored);
  EXPECT_EQ(out[3].seq, 1);
  std::vector<Row> rows = all();
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(chainProblem(rows), "");
}

// A group commit of many requests: more rows than one PostgreSQL pipeline round trip carries
// (kPipelineChunk), with old and in-batch duplicates spread through it.
TEST_P(StoreConformance, ALargeBatchIsOneChainedTransaction) {
  std::vector<NewRow> first;
  for (int i = 0; i < 50; ++i) first.push_back(changeRow("rec-big-" + std::to_string(i % 7), "old" + std::to_string(i)));
  append(first, kT0);
  std::vector<NewRow> big;
  for (int i = 0; i < 450; ++i) {
    if (i % 9 == 0) big.push_back(changeRow("rec-big-" + std::to_string(i % 7), "old" + std::to_string(i % 50)));
    else big.push_back(changeRow("rec-big-" + std::to_string(i % 7), "new" + std::to_string(i % 400)));
  }
  auto out = append(big, kT0 + 1);
  ASSERT_EQ(out.size(), big.size());
  std::vector<Row> rows = all();
  EXPECT_EQ(chainProblem(rows), "");
  std::map<std::string, int64_t> seqOf;
  for (const Row& r : rows) seqOf[r.eventKey] = r.seq;
  EXPECT_EQ(seqOf.size(), rows.size());
  int stored = 0;
  for (size_t i = 0; i < big.size(); ++i) {
    EXPECT_EQ(out[i].seq, seqOf[big[i].eventKey]) << "row " << i;
    stored += out[i].stored ? 1 : 0;
  }
  EXPECT_EQ(stored, static_cast<int>(rows.size()) - 50);
  EXPECT_EQ(head().seq, static_cast<int64_t>(rows.size()));
}

TEST_P(StoreConformance, ReadsByRecordSeqAndTime) {
  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-bbbb-2", "e1")}, kT0);
  append({changeRow("rec-aaaa-1", "e2")}, kT0 + 1000);
  append({changeRow("rec-bbbb-2", "e2"), changeRow("rec-aaaa-1", "e3")}, kT0 + 2000);

  std::vector<Row> rows;
  ASSERT_TRUE(store_->rowsOfRecord("rec-aaaa-1", &rows).ok());
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{1, 3, 5}));
  ASSERT_TRUE(store_->rowsOfRecord("rec-bbbb-2", &rows).ok());
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{2, 4}));
  ASSERT_TRUE(store_->rowsOfRecord("rec-none-0", &rows).ok());
  EXPECT_TRUE(rows.empty());

  ASSERT_TRUE(store_->rowsBySeq(2, 4, 100, &rows).ok());  // [2, 4)
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{2, 3}));
  ASSERT_TRUE(store_->rowsBySeq(2, 0, 100, &rows).ok());  // to the end
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{2, 3, 4, 5}));
  ASSERT_TRUE(store_->rowsBySeq(1, 0, 2, &rows).ok());    // limit
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(store_->rowsBySeq(6, 0, 100, &rows).ok());  // past the head
  EXPECT_TRUE(rows.empty());

  ASSERT_TRUE(store_->rowsByTime(kT0, kT0 + 1000, &rows).ok());  // [from, to)
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{1, 2}));
  ASSERT_TRUE(store_->rowsByTime(kT0 + 1, kT0 + 2001, &rows).ok());
  EXPECT_EQ(seqs(rows), (std::vector<int64_t>{3, 4, 5}));
  ASSERT_TRUE(store_->rowsByTime(kT0 - 10, kT0, &rows).ok());
  EXPECT_TRUE(rows.empty());
}

// store.h: append() from the writer thread while HTTP threads read. Every read sees a whole
// prefix of the chain (no half-committed batch, no gap), and nothing fails.
TEST_P(StoreConformance, ReadsWhileTheWriterAppends) {
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::string> problems(2);
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      while (!done) {
        std::vector<Row> rows;
        StoreError e = store_->rowsBySeq(1, 0, 0, &rows);
        Head h;
        StoreError eh = store_->head(&h);
        if (!e.ok() || !eh.ok()) {
          problems[t] = e.message + eh.message;
          return;
        }
        std::string chain = chainProblem(rows);
        if (!chain.empty()) problems[t] = chain;
        if (rows.size() % 5 != 0) problems[t] = "a read saw part of a batch: " + std::to_string(rows.size()) + " rows";
        if (h.seq < static_cast<int64_t>(rows.size())) problems[t] = "head behind the rows read before it";
        if (!problems[t].empty()) return;
        ++reads;
      }
    });
  }
  for (int b = 0; b < 40; ++b) {
    std::vector<NewRow> batch;
    for (int i = 0; i < 5; ++i) batch.push_back(changeRow("rec-read-" + std::to_string(b), "e" + std::to_string(i)));
    append(batch, kT0 + b);
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(problems[0], "");
  EXPECT_EQ(problems[1], "");
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(all().size(), 200u);
}

TEST_P(StoreConformance, CheckpointsAreKeptInSeqOrder) {
  auto out = append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0);
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 2u);
  Checkpoint later{2, rows[1].rowHash, kT0 + 60000, std::string(64, 'a'), std::string(128, 'b')};
  Checkpoint earlier{1, rows[0].rowHash, kT0 + 1, std::string(64, 'c'), std::string(128, 'd')};
  ASSERT_TRUE(store_->addCheckpoint(later).ok());
  ASSERT_TRUE(store_->addCheckpoint(earlier).ok());
  std::vector<Checkpoint> cps;
  StoreError e = store_->checkpoints(&cps);
  ASSERT_TRUE(e.ok()) << e.message;
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps[0].seq, 1);
  EXPECT_EQ(cps[0].head, earlier.head);
  EXPECT_EQ(cps[0].at, earlier.at);
  EXPECT_EQ(cps[0].publicKey, earlier.publicKey);
  EXPECT_EQ(cps[0].signature, earlier.signature);
  EXPECT_EQ(cps[1].seq, 2);
  EXPECT_EQ(cps[1].head, later.head);
  EXPECT_EQ(cps[1].at, later.at);
  EXPECT_EQ(cps[1].signature, later.signature);
}

TEST_P(StoreConformance, CheckpointRangeAndLatest) {
  Checkpoint latest;
  bool found = true;
  StoreError e = store_->latestCheckpoint(&latest, &found);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_FALSE(found) << "an empty ledger has no checkpoint";

  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2"), changeRow("rec-aaaa-1", "e3")}, kT0);
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 3u);
  // Two checkpoints at seq 2 (a re-seal later in time) and one at seq 1 and 3, added out of order.
  for (Checkpoint c : {Checkpoint{3, rows[2].rowHash, kT0 + 30, "k", "s3"}, Checkpoint{2, rows[1].rowHash, kT0 + 20, "k", "s2a"},
                       Checkpoint{1, rows[0].rowHash, kT0 + 10, "k", "s1"}, Checkpoint{2, rows[1].rowHash, kT0 + 25, "k", "s2b"}})
    ASSERT_TRUE(store_->addCheckpoint(c).ok());

  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store_->checkpointsInRange(2, 2, &cps).ok());
  ASSERT_EQ(cps.size(), 2u);
  EXPECT_EQ(cps[0].signature, "s2a");
  EXPECT_EQ(cps[1].signature, "s2b");
  ASSERT_TRUE(store_->checkpointsInRange(2, 0, &cps).ok());
  ASSERT_EQ(cps.size(), 3u) << "toSeq 0 reads to the end";
  EXPECT_EQ(cps[2].seq, 3);
  ASSERT_TRUE(store_->checkpointsInRange(4, 9, &cps).ok());
  EXPECT_TRUE(cps.empty());

  ASSERT_TRUE(store_->latestCheckpoint(&latest, &found).ok());
  ASSERT_TRUE(found);
  EXPECT_EQ(latest.seq, 3);
  EXPECT_EQ(latest.signature, "s3");
  ASSERT_TRUE(store_->addCheckpoint(Checkpoint{3, rows[2].rowHash, kT0 + 40, "k", "s3b"}).ok());
  ASSERT_TRUE(store_->latestCheckpoint(&latest, &found).ok());
  EXPECT_EQ(latest.signature, "s3b") << "the same seq sealed again later: the later one";
}

TEST_P(StoreConformance, KeyRotationsKeepTheirOldKeyAndSignature) {
  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0);
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 2u);
  Checkpoint plain{1, rows[0].rowHash, kT0 + 10, "k1", "s1"};
  Checkpoint rotation{2, rows[1].rowHash, kT0 + 20, "k2", "s2", "k1", "p2"};
  Checkpoint after{2, rows[1].rowHash, kT0 + 30, "k2", "s3"};
  for (const Checkpoint& c : {plain, rotation, after}) ASSERT_TRUE(store_->addCheckpoint(c).ok());
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store_->checkpoints(&cps).ok());
  ASSERT_EQ(cps.size(), 3u);
  EXPECT_FALSE(cps[0].isRotation());
  EXPECT_EQ(cps[1].prevKey, "k1");
  EXPECT_EQ(cps[1].prevSignature, "p2");
  EXPECT_TRUE(cps[2].prevKey.empty() && cps[2].prevSignature.empty()) << "ordinary checkpoints store NULL";
  std::vector<Checkpoint> rotations;
  ASSERT_TRUE(store_->keyRotations(&rotations).ok());
  ASSERT_EQ(rotations.size(), 1u);
  EXPECT_EQ(rotations[0].at, kT0 + 20);
  EXPECT_EQ(rotations[0].publicKey, "k2");
  Checkpoint latest;
  bool found = false;
  ASSERT_TRUE(store_->latestCheckpoint(&latest, &found).ok() && found);
  EXPECT_EQ(latest.signature, "s3");
  EXPECT_FALSE(latest.isRotation());
}

TEST_P(StoreConformance, EraseWipesPersonalFieldsAndKeepsTheChain) {
  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-bbbb-2", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0);
  std::vector<Row> before = all();
  int64_t n = -1;
  StoreError e = store_->erase("rec-aaaa-1", kT0 + 500, &n);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(n, 2);

  std::vector<Row> after = all();
  ASSERT_EQ(after.size(), 3u);
  for (int i : {0, 2}) {
    EXPECT_FALSE(after[i].recordId.has_value()) << "seq " << after[i].seq;
    EXPECT_FALSE(after[i].personal.has_value()) << "seq " << after[i].seq;
    EXPECT_EQ(after[i].erasedAt, std::optional<int64_t>(kT0 + 500));
  }
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].personalHash, before[i].personalHash);
    EXPECT_EQ(after[i].rowHash, before[i].rowHash);
    EXPECT_EQ(after[i].body, before[i].body);
    EXPECT_EQ(after[i].eventKey, before[i].eventKey);
  }
  EXPECT_EQ(after[1].recordId, std::optional<std::string>("rec-bbbb-2"));
  EXPECT_EQ(after[1].personal, before[1].personal);
  EXPECT_FALSE(after[1].erasedAt.has_value());
  EXPECT_EQ(chainProblem(after), "");

  std::vector<Row> rows;
  ASSERT_TRUE(store_->rowsOfRecord("rec-aaaa-1", &rows).ok());
  EXPECT_TRUE(rows.empty());
  ASSERT_TRUE(store_->erase("rec-aaaa-1", kT0 + 600, &n).ok());
  EXPECT_EQ(n, 0);
  // An erased event delivered again is still a duplicate: its key survives erasure.
  auto again = append({changeRow("rec-aaaa-1", "e1")}, kT0 + 700);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].stored);
  EXPECT_EQ(again[0].seq, 1);
}

TEST_P(StoreConformance, EraseBeforeWipesOldRowsAndNamesTheirRecords) {
  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-bbbb-2", "e1")}, kT0);
  append({changeRow("rec-cccc-3", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0 + 1000);
  append({changeRow("rec-dddd-4", "e1")}, kT0 + 2000);
  int64_t n = -1;
  std::vector<std::string> records;
  StoreError e = store_->eraseBefore(kT0 + 2000, kT0 + 9000, &n, &records);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(n, 4);
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records, (std::vector<std::string>{"rec-aaaa-1", "rec-bbbb-2", "rec-cccc-3"}));
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(rows[i].personal.has_value());
    EXPECT_FALSE(rows[i].recordId.has_value());
    EXPECT_EQ(rows[i].erasedAt, std::optional<int64_t>(kT0 + 9000));
  }
  EXPECT_EQ(rows[4].recordId, std::optional<std::string>("rec-dddd-4"));
  EXPECT_EQ(chainProblem(rows), "");
  // Already erased rows are not erased again.
  ASSERT_TRUE(store_->eraseBefore(kT0 + 2000, kT0 + 9999, &n, &records).ok());
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(records.empty());
  EXPECT_EQ(all()[0].erasedAt, std::optional<int64_t>(kT0 + 9000));
}

// The ledger's own erasure rows carry no record id and no personal fields (NewRow: ""): they
// read back as NULL, belong to no record, and retention treats them like any row not yet
// erased (store.h eraseBefore).
TEST_P(StoreConformance, ErasureRowsHaveNoRecordAndNoPersonalFields) {
  append({changeRow("rec-aaaa-1", "e1")}, kT0);
  int64_t n = 0;
  ASSERT_TRUE(store_->erase("rec-aaaa-1", kT0 + 1, &n).ok());
  NewRow erasure;
  erasure.eventKey = ledger::eventKey("", "erasure-1");
  erasure.kind = "erasure";
  erasure.op = "erasure";
  erasure.policyId = "smartaqkol";
  erasure.policyVersion = "2";
  erasure.body = "{\"type\":\"erasure\",\"events\":1}";
  erasure.personalHash = ledger::personalHash("");
  auto out = append({erasure}, kT0 + 2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].seq, 2);
  std::vector<Row> rows = all();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].kind, "erasure");
  EXPECT_FALSE(rows[1].recordId.has_value());
  EXPECT_FALSE(rows[1].personal.has_value());
  EXPECT_FALSE(rows[1].erasedAt.has_value());
  EXPECT_EQ(chainProblem(rows), "");
  std::vector<std::string> records;
  ASSERT_TRUE(store_->eraseBefore(kT0 + 10, kT0 + 20, &n, &records).ok());
  EXPECT_EQ(n, 1);            // the erasure row; the change row was erased before
  EXPECT_TRUE(records.empty());
  EXPECT_EQ(all()[0].erasedAt, std::optional<int64_t>(kT0 + 1));
}

TEST_P(StoreConformance, ReopenKeepsEverything) {
  append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-bbbb-2", "e1")}, kT0);
  std::vector<Row> before = all();
  Checkpoint cp{2, before[1].rowHash, kT0 + 60000, std::string(64, 'a'), std::string(128, 'b')};
  ASSERT_TRUE(store_->addCheckpoint(cp).ok());
  int64_t n = 0;
  ASSERT_TRUE(store_->erase("rec-bbbb-2", kT0 + 10, &n).ok());
  before = all();

  reopen();  // migrate() again: idempotent
  std::vector<Row> after = all();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].seq, before[i].seq);
    EXPECT_EQ(after[i].rowHash, before[i].rowHash);
    EXPECT_EQ(after[i].personal, before[i].personal);
    EXPECT_EQ(after[i].recordId, before[i].recordId);
    EXPECT_EQ(after[i].erasedAt, before[i].erasedAt);
  }
  Head h = head();
  EXPECT_EQ(h.seq, 2);
  EXPECT_EQ(h.hash, before[1].rowHash);
  std::vector<Checkpoint> cps;
  ASSERT_TRUE(store_->checkpoints(&cps).ok());
  ASSERT_EQ(cps.size(), 1u);
  EXPECT_EQ(cps[0].head, cp.head);
  // The chain goes on where it stopped, and the old keys are still known.
  auto out = append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0 + 20);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].stored);
  EXPECT_EQ(out[0].seq, 1);
  EXPECT_TRUE(out[1].stored);
  EXPECT_EQ(out[1].seq, 3);
  EXPECT_EQ(chainProblem(all()), "");
}

TEST_P(StoreConformance, ASecondStoreOnTheSameDatabaseSeesTheSameLedger) {
  append({changeRow("rec-aaaa-1", "e1")}, kT0);
  std::string err;
  std::unique_ptr<Store> second = openStore(db_, &err);
  ASSERT_TRUE(second) << err;
  ASSERT_TRUE(second->migrate().ok());
  std::vector<AppendResult> out;
  StoreError e = second->append({changeRow("rec-aaaa-1", "e1"), changeRow("rec-aaaa-1", "e2")}, kT0 + 1, sealer(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  ASSERT_EQ(out.size(), 2u);
  EXPECT_FALSE(out[0].stored);
  EXPECT_TRUE(out[1].stored);
  EXPECT_EQ(out[1].seq, 2);
  second.reset();
  EXPECT_EQ(head().seq, 2);
  EXPECT_EQ(chainProblem(all()), "");
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

// A call before the migrations fails (no tables to prepare against); it must not leave a
// half-prepared connection behind that fails every later call.
TEST(PostgresStore, ACallBeforeMigrateFailsAndLeavesNothingBroken) {
  testing_util::PgTestDb db;
  ASSERT_EQ(db.error, "");
  std::string err;
  auto store = openPostgresStore(db.uri(), &err);
  ASSERT_TRUE(store) << err;
  Head h;
  StoreError e = store->head(&h);
  EXPECT_FALSE(e.ok());
  EXPECT_FALSE(e.unavailable) << e.message;
  ASSERT_TRUE(store->migrate().ok());
  e = store->head(&h);
  ASSERT_TRUE(e.ok()) << e.message;
  std::vector<AppendResult> out;
  e = store->append({changeRow("rec-aaaa-1", "e1")}, kT0, sealer(), &out);
  ASSERT_TRUE(e.ok()) << e.message;
  ASSERT_TRUE(store->head(&h).ok());
  EXPECT_EQ(h.seq, 1);
}

TEST(PostgresStore, AWrongUriIsReportedAtOpen) {
  std::string err;
  auto store = openPostgresStore("postgresql:///nope?host=/nonexistent-kelisim-dir&port=1", &err);
  EXPECT_FALSE(store);
  EXPECT_NE(err.find("cannot connect"), std::string::npos) << err;
}

}  // namespace
}  // namespace server
}  // namespace kelisim
