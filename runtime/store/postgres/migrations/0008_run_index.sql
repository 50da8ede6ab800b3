-- A run's status changes at least twice (claimed, ended), and PostgreSQL
-- writes a new entry in every index of runs for each change of an indexed
-- column. The columns that never change after the run is created
-- (function, creation time, first event) are indexed in run_index, written
-- once per run, so that those changes do not rewrite their entries.
CREATE TABLE run_index (
    id          text PRIMARY KEY,
    function_id text NOT NULL,
    created_at  bigint NOT NULL,
    event_id    text
);
INSERT INTO run_index (id, function_id, created_at, event_id) SELECT id, function_id, created_at, event_id FROM runs;
CREATE INDEX run_index_created ON run_index (created_at, id);
CREATE INDEX run_index_function ON run_index (function_id, created_at);
CREATE INDEX run_index_event ON run_index (event_id);
DROP INDEX runs_function;
DROP INDEX runs_created;
DROP INDEX runs_event;

-- runs_live no longer holds running runs: a claim would add an entry for
-- each. The oldest running run is found through runs_leased, which holds
-- only the running runs (bounded by the workers of all processes).
DROP INDEX runs_live;
CREATE INDEX runs_live ON runs (created_at) WHERE status NOT IN ('completed', 'failed', 'cancelled', 'skipped', 'running');
