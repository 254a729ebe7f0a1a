-- Key rotation (docs/ledger.md §4.1): a checkpoint that hands the ledger from one signing key
-- to the next also carries the old key and the old key's signature. Both signatures cover
-- ledger::rotationMessage; ordinary checkpoints leave the two columns NULL.
ALTER TABLE checkpoints ADD COLUMN prev_key TEXT;
ALTER TABLE checkpoints ADD COLUMN prev_signature TEXT;
