// The ledger's storage: one interface, a SQLite and a PostgreSQL implementation
// (sqlite_store.cpp, postgres_store.cpp), the same schema through the numbered migrations in
// server/migrations/<engine>/. docs/ledger.md §3–4 is the contract.
//
// Threading: append() is called by the ledger's single writer thread of this process (group
// commit); reads may come from any HTTP thread at the same time. Implementations make that
// safe (SQLite: a connection per thread or a mutex around reads; PostgreSQL: a small pool).
// Errors are values: every call returns a StoreError; `ok()` when it worked. A store that lost
// its database (PostgreSQL restarted) reconnects on the next call; the failed call reports
// `unavailable = true` and nothing of it was committed.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kelisim {
namespace server {

struct StoreError {
  std::string message;       // empty = ok
  bool unavailable = false;  // the database could not be reached: retry later (HTTP 503)
  bool ok() const { return message.empty(); }
};

/** One event to append, already checked and normalized by the ledger (docs/ledger.md §3). */
struct NewRow {
  std::string eventKey;      // ledger::eventKey(recordId, eventId): unique
  std::string kind;          // change | display | erasure
  std::string op;            // change op, display kind, or "erasure"
  std::string method;        // explicit | implicit | "" (displays, erasures)
  std::string policyId, policyVersion;
  int64_t clientAt = 0;      // epoch ms, client clock (0 = none)
  std::string recordId;      // "" for erasure rows
  std::string body;          // compact JSON, non-personal
  std::string personal;      // compact JSON, personal fields ("" for erasure rows)
  std::string personalHash;  // ledger::personalHash(personal)
};

/** A stored row, as read back. */
struct Row {
  int64_t seq = 0;
  int64_t serverAt = 0;
  std::string eventKey, kind, op, method, policyId, policyVersion;
  int64_t clientAt = 0;
  std::optional<std::string> recordId;   // nullopt after erasure
  std::string body;
  std::optional<std::string> personal;   // nullopt after erasure
  std::string personalHash;
  std::string rowHash;
  std::optional<int64_t> erasedAt;
};

struct Checkpoint {
  int64_t seq = 0;         // the chain position it seals
  std::string head;        // row_hash at seq
  int64_t at = 0;          // epoch ms
  std::string publicKey;   // Ed25519, 64 hex
  std::string signature;   // Ed25519 over ledger::checkpointMessage(seq, head, at), 128 hex
  // A key rotation (docs/ledger.md §4.1) also names the key it takes over from; then both
  // signature (by publicKey, the new key) and prevSignature (by prevKey, the old one) cover
  // ledger::rotationMessage(seq, head, at, prevKey, publicKey). Empty on ordinary checkpoints.
  std::string prevKey;
  std::string prevSignature;
  // The Merkle root of rows 1..seq (docs/ledger.md §4.2), which the signatures cover too; ""
  // on checkpoints written before roots. frontier: MerkleFrontier::text() at seq, not signed,
  // stored so that the next checkpoint goes on from it instead of reading every row again.
  std::string root;
  std::string frontier;
  bool isRotation() const { return !prevKey.empty(); }
};

/** The columns both engines read a Checkpoint from, in this order. */
#define KELISIM_CHECKPOINT_COLUMNS "seq, head, at, public_key, signature, prev_key, prev_signature, root, frontier"

/** A stored Merkle block (docs/ledger.md §4.4; migration 003): the tree hash of rows
 *  block·leaves+1 .. (block+1)·leaves, i.e. leaves [block·leaves, (block+1)·leaves). */
struct MerkleBlock {
  int64_t leaves = 0;  // a power of two (ledger/merkle.h kMerkleBlockLeaves)
  int64_t block = 0;   // 0, 1, 2 …
  std::string hash;    // 64 hex
};

struct Head {
  int64_t seq = 0;         // 0 = empty ledger
  std::string hash;        // ledger::kGenesis when empty
};

/** What append() did with each input row, in input order. */
struct AppendResult {
  bool stored = false;     // false: a duplicate of an already stored event_key
  int64_t seq = 0;         // its chain position (also for duplicates: the stored one's)
};

/** Seals a row: given the previous row's hash and the row's seq and server time, returns its
 *  row_hash (ledger::rowHash). Called by append() inside its transaction, in chain order. */
using Sealer = std::function<std::string(const std::string& prevHash, int64_t seq, int64_t serverAt, const NewRow&)>;

class Store {
 public:
  virtual ~Store() = default;
  /** "sqlite" or "postgres". */
  virtual const char* engine() const = 0;
  /** Runs the migrations not yet applied (schema_migrations table). Idempotent; safe when
   *  several servers start at once on one PostgreSQL database. */
  virtual StoreError migrate() = 0;

  /** Appends the rows whose event_key is new, in order, as one durable transaction: each new
   *  row gets the next seq and its row_hash from `seal` (previous hash: the stored head, then
   *  the rows before it in this batch). Duplicates (already stored, or twice in `rows`) are
   *  skipped and reported. When it returns ok, everything is committed durably; otherwise
   *  nothing is. Several processes on one PostgreSQL database serialize on the head row. */
  virtual StoreError append(const std::vector<NewRow>& rows, int64_t serverAt, const Sealer& seal,
                            std::vector<AppendResult>* out) = 0;

  virtual StoreError head(Head* out) = 0;
  /** Rows of one record (by record_id), oldest first. */
  virtual StoreError rowsOfRecord(const std::string& recordId, std::vector<Row>* out) = 0;
  /** Rows with fromSeq <= seq < toSeq (toSeq 0 = to the end), in seq order, at most `limit`. */
  virtual StoreError rowsBySeq(int64_t fromSeq, int64_t toSeq, int64_t limit, std::vector<Row>* out) = 0;
  /** Rows whose server_at lies in [fromMs, toMs), in seq order (export, stats). */
  virtual StoreError rowsByTime(int64_t fromMs, int64_t toMs, std::vector<Row>* out) = 0;
  /** The smallest and greatest seq of the rows whose server_at lies in [fromMs, toMs), or 0 and
   *  0 when there is none: the seq range an export or the stats then read page by page
   *  (rowsBySeq), so that a long range never sits in memory at once. */
  virtual StoreError seqRangeByTime(int64_t fromMs, int64_t toMs, int64_t* firstSeq, int64_t* lastSeq) = 0;

  virtual StoreError addCheckpoint(const Checkpoint& c) = 0;
  /** Checkpoints with fromSeq <= seq <= toSeq (toSeq 0 = to the end), in (seq, at) order. */
  virtual StoreError checkpointsInRange(int64_t fromSeq, int64_t toSeq, std::vector<Checkpoint>* out) = 0;
  /** Every checkpoint, in (seq, at) order (full verification; the operator's views read a range
   *  or the latest one instead). */
  StoreError checkpoints(std::vector<Checkpoint>* out) { return checkpointsInRange(0, 0, out); }
  /** The newest checkpoint: greatest seq, then greatest at. *found is false (and *out untouched)
   *  when there is none yet. */
  virtual StoreError latestCheckpoint(Checkpoint* out, bool* found) = 0;
  /** The key rotations alone (checkpoints with a prevKey), in (seq, at) order: the ledger's key
   *  history, which an export or a proof carries whatever range it covers. */
  virtual StoreError keyRotations(std::vector<Checkpoint>* out) = 0;

  /** Stores the blocks in one transaction; a block already stored (same leaves and block) is
   *  kept as it is. Blocks are a cache the ledger checks, not part of what is signed. */
  virtual StoreError addMerkleBlocks(const std::vector<MerkleBlock>& blocks) = 0;
  /** The stored blocks of `leaves` leaves (0: of every size) with fromBlock <= block < toBlock
   *  (toBlock 0 = to the end), in (leaves, block) order. */
  virtual StoreError merkleBlocks(int64_t leaves, int64_t fromBlock, int64_t toBlock, std::vector<MerkleBlock>* out) = 0;
  /** The greatest stored block number of `leaves` leaves, -1 when there is none. */
  virtual StoreError lastMerkleBlock(int64_t leaves, int64_t* block) = 0;

  /** Erasure: sets personal and record_id to NULL and erased_at = at for every row of the
   *  record (count in *n). Does not append the erasure row (the ledger does, via append). */
  virtual StoreError erase(const std::string& recordId, int64_t at, int64_t* n) = 0;
  /** Retention: the same for every row with server_at < beforeMs not yet erased; the ids of
   *  the records touched go to *records (for the erasure rows). */
  virtual StoreError eraseBefore(int64_t beforeMs, int64_t at, int64_t* n, std::vector<std::string>* records) = 0;
};

/** Calls each(page) for the rows with fromSeq <= seq < toSeq (toSeq 0 = to the end), pageRows at
 *  a time (rowsBySeq), so that a long range is never in memory at once; each page starts after
 *  the last seq read, so a gap stays a gap. Stops at the first error (returned), at the end, or
 *  when each returns false. */
inline StoreError eachPage(Store& store, int64_t fromSeq, int64_t toSeq, int64_t pageRows,
                           const std::function<bool(std::vector<Row>&)>& each) {
  for (int64_t from = fromSeq; from > 0 && (toSeq == 0 || from < toSeq);) {
    std::vector<Row> page;
    StoreError e = store.rowsBySeq(from, toSeq, pageRows > 0 ? pageRows : 1, &page);
    if (!e.ok() || page.empty()) return e;
    from = page.back().seq + 1;
    if (!each(page)) break;
  }
  return {};
}

/** Opens the store a --db value names: "sqlite:PATH" (created if missing) or
 *  "postgres://…" / "postgresql://…" (libpq URI). Returns nullptr and sets *err otherwise. */
std::unique_ptr<Store> openStore(const std::string& db, std::string* err);

std::unique_ptr<Store> openSqliteStore(const std::string& path, std::string* err);
std::unique_ptr<Store> openPostgresStore(const std::string& uri, std::string* err);

}  // namespace server
}  // namespace kelisim
