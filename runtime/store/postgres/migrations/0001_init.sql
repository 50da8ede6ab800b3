-- Times are nanoseconds since the Unix epoch (bigint): timestamptz keeps
-- microseconds only, and the store contract keeps nanoseconds. JSON is kept
-- as bytea, byte for byte as the engine wrote it.
CREATE TABLE events (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    ts          bigint NOT NULL,
    envelope    bytea NOT NULL,
    received_at bigint NOT NULL
);
CREATE INDEX events_name ON events (name, received_at);

CREATE TABLE runs (
    id              text PRIMARY KEY,
    function_id     text NOT NULL,
    status          text NOT NULL,
    events          bytea NOT NULL,
    attempt         integer NOT NULL DEFAULT 0,
    created_at      bigint NOT NULL,
    started_at      bigint,
    ended_at        bigint,
    available_at    bigint NOT NULL,
    lease_owner     text,
    lease_until     bigint,
    output          bytea,
    error           text,
    parent_run_id   text,
    parent_step_key text,
    deadline        bigint,
    limits          bytea,
    blocked_on      text,
    interrupted     integer NOT NULL DEFAULT 0
);
CREATE INDEX runs_claimable ON runs (available_at, id) WHERE status IN ('queued', 'sleeping', 'waiting');
CREATE INDEX runs_leased ON runs (lease_owner) WHERE status = 'running';
CREATE INDEX runs_lease_expiry ON runs (lease_until) WHERE status = 'running';
CREATE INDEX runs_function ON runs (function_id, created_at);
CREATE INDEX runs_created ON runs (created_at, id);
CREATE INDEX runs_blocked ON runs (blocked_on, available_at, id) WHERE status = 'blocked';

CREATE TABLE steps (
    run_id     text NOT NULL,
    key        text NOT NULL,
    id         text NOT NULL,
    scope      text NOT NULL,
    pos        integer NOT NULL,
    kind       text NOT NULL,
    status     text NOT NULL,
    output     bytea,
    error      text,
    attempts   integer NOT NULL,
    wake_at    bigint,
    started_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    -- The order steps were first recorded in: an upsert keeps it.
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (run_id, key)
);

CREATE TABLE waits (
    run_id       text NOT NULL,
    step_key     text NOT NULL,
    event_name   text NOT NULL,
    if_expr      text NOT NULL,
    trigger      bytea,
    child_run_id text NOT NULL,
    expires_at   bigint,
    PRIMARY KEY (run_id, step_key)
);
CREATE INDEX waits_event ON waits (event_name) WHERE event_name <> '';
CREATE INDEX waits_child ON waits (child_run_id) WHERE child_run_id <> '';

CREATE TABLE state (
    key   text PRIMARY KEY,
    value bytea NOT NULL
);

-- A row per concurrency slot held: one per key of each running run (or of a
-- queued run a freed slot was handed to).
CREATE TABLE slots (
    key    text NOT NULL,
    run_id text NOT NULL,
    PRIMARY KEY (key, run_id)
);
CREATE INDEX slots_run ON slots (run_id);
