-- The Merkle block cache (docs/ledger.md §4.4), SQLite; postgres/003 is the same.
-- The tree hash of every complete, aligned block of `leaves` leaves (a power of two; the
-- server's is 1024): block k covers rows k·leaves+1 .. (k+1)·leaves. Written by the writer
-- before the checkpoint that covers it, so that a proof reads N/leaves block hashes instead of
-- N rows. Not signed and not trusted: every path built from it is checked against a signed
-- root before it is served, and `kelisim-server verify` recomputes every block from the rows.
CREATE TABLE merkle_blocks (
  leaves INTEGER NOT NULL,
  block  INTEGER NOT NULL,
  hash   TEXT NOT NULL,
  PRIMARY KEY (leaves, block)
);
