CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    envelope    BLOB NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX events_name ON events (name, received_at);

CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    function_id     TEXT NOT NULL,
    status          TEXT NOT NULL,
    events          BLOB NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    started_at      INTEGER,
    ended_at        INTEGER,
    available_at    INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    output          BLOB,
    error           TEXT,
    parent_run_id   TEXT,
    parent_step_key TEXT,
    deadline        INTEGER
);
CREATE INDEX runs_claimable ON runs (available_at) WHERE status IN ('queued', 'sleeping', 'waiting');
CREATE INDEX runs_leased ON runs (lease_owner) WHERE status = 'running';
CREATE INDEX runs_function ON runs (function_id, created_at);

CREATE TABLE steps (
    run_id     TEXT NOT NULL,
    key        TEXT NOT NULL,
    id         TEXT NOT NULL,
    scope      TEXT NOT NULL,
    pos        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    output     BLOB,
    error      TEXT,
    attempts   INTEGER NOT NULL,
    wake_at    INTEGER,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE waits (
    run_id       TEXT NOT NULL,
    step_key     TEXT NOT NULL,
    event_name   TEXT NOT NULL,
    if_expr      TEXT NOT NULL,
    trigger      BLOB,
    child_run_id TEXT NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (run_id, step_key)
) WITHOUT ROWID;
CREATE INDEX waits_event ON waits (event_name) WHERE event_name <> '';
CREATE INDEX waits_child ON waits (child_run_id) WHERE child_run_id <> '';

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
