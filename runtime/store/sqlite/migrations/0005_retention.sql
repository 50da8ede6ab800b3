-- Retention: state may expire; finished runs, old events and expired state
-- are deleted in bounded batches, oldest first.
ALTER TABLE state ADD COLUMN expires_at INTEGER;
CREATE INDEX state_expiry ON state (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX runs_ended ON runs (status, ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX runs_live ON runs (created_at) WHERE status NOT IN ('completed', 'failed', 'cancelled', 'skipped');
CREATE INDEX events_received ON events (received_at);
