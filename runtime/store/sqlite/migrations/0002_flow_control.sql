ALTER TABLE runs ADD COLUMN limits BLOB;
ALTER TABLE runs ADD COLUMN blocked_on TEXT;
CREATE INDEX runs_blocked ON runs (blocked_on, available_at) WHERE status = 'blocked';

-- A row per concurrency slot held: one per key of each running run.
CREATE TABLE slots (
    key    TEXT NOT NULL,
    run_id TEXT NOT NULL,
    PRIMARY KEY (key, run_id)
) WITHOUT ROWID;
CREATE INDEX slots_run ON slots (run_id);
