-- Operations: rerun lineage, runs by their first event and by the run that
-- invoked them, cursor pagination newest first, and paused functions.
ALTER TABLE runs ADD COLUMN rerun_of TEXT;
ALTER TABLE runs ADD COLUMN rerun_from_step TEXT;
ALTER TABLE runs ADD COLUMN rerun_by TEXT;
ALTER TABLE runs ADD COLUMN event_id TEXT;
UPDATE runs SET event_id = json_extract(events, '$[0].id') WHERE json_valid(events);
CREATE INDEX runs_event ON runs (event_id);
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_paused ON runs (function_id) WHERE status = 'paused';

CREATE TABLE paused_functions (
    function_id TEXT PRIMARY KEY,
    paused_at   INTEGER NOT NULL
) WITHOUT ROWID;
