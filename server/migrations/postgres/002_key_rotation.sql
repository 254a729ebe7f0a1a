-- Key rotation (docs/ledger.md §4.1), PostgreSQL: the same columns as sqlite/002_key_rotation.sql.
-- A checkpoint that hands the ledger from one signing key to the next also carries the old key
-- and the old key's signature; ordinary checkpoints leave the two columns NULL.
ALTER TABLE checkpoints ADD COLUMN prev_key TEXT;
ALTER TABLE checkpoints ADD COLUMN prev_signature TEXT;
