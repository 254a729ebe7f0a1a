-- Key rotation (docs/ledger.md §4.1) and Merkle roots (§4.2), PostgreSQL: the same columns as sqlite/002_keys_and_roots.sql.
-- A checkpoint that hands the ledger from one signing key to the next also carries the old key
-- and the old key's signature; ordinary checkpoints leave the two columns NULL.
ALTER TABLE checkpoints ADD COLUMN prev_key TEXT;
ALTER TABLE checkpoints ADD COLUMN prev_signature TEXT;
-- The Merkle root of rows 1..seq, signed with the checkpoint (docs/ledger.md §4.2), and the
-- frontier to go on from (not signed); NULL on checkpoints written before them.
ALTER TABLE checkpoints ADD COLUMN root TEXT;
ALTER TABLE checkpoints ADD COLUMN frontier TEXT;
