-- Waits whose If compares a path of the awaited event with a value known
-- when the wait is created are found by (event name, path, key).
ALTER TABLE waits ADD COLUMN match_path text NOT NULL DEFAULT '';
ALTER TABLE waits ADD COLUMN match_key text NOT NULL DEFAULT '';
CREATE INDEX waits_match ON waits (event_name, match_path, match_key);
