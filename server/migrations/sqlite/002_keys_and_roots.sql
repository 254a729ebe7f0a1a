-- Key rotation (docs/ledger.md §4.1) and Merkle roots (§4.2), SQLite; postgres/002 is the same.
-- A checkpoint that hands the ledger from one signing key to the next also carries the old key
-- and the old key's signature (both signatures cover ledger::rotationMessage); ordinary
-- checkpoints leave the two columns NULL.
ALTER TABLE checkpoints ADD COLUMN prev_key TEXT;
ALTER TABLE checkpoints ADD COLUMN prev_signature TEXT;
-- The Merkle root of rows 1..seq, signed with the checkpoint, and the frontier to go on from
-- (not signed); NULL on checkpoints written before them.
ALTER TABLE checkpoints ADD COLUMN root TEXT;
ALTER TABLE checkpoints ADD COLUMN frontier TEXT;
