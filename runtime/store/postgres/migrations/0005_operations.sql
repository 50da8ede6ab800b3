-- Operations: rerun lineage, runs by their first event and by the run that
-- invoked them, and paused functions.
ALTER TABLE runs ADD COLUMN rerun_of text;
ALTER TABLE runs ADD COLUMN rerun_from_step text;
ALTER TABLE runs ADD COLUMN rerun_by text;
ALTER TABLE runs ADD COLUMN event_id text;
UPDATE runs SET event_id = convert_from(events, 'UTF8')::jsonb -> 0 ->> 'id'
    WHERE substr(convert_from(events, 'UTF8'), 1, 1) = '[';
CREATE INDEX runs_event ON runs (event_id);
CREATE INDEX runs_parent ON runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
CREATE INDEX runs_paused ON runs (function_id) WHERE status = 'paused';

CREATE TABLE paused_functions (
    function_id text PRIMARY KEY,
    paused_at   bigint NOT NULL
);
