-- Waits with a lookback page through the events of a name in the order
-- (received_at, id): the index carries id so that a page is read from it
-- alone, without sorting ties.
DROP INDEX events_name;
CREATE INDEX events_name ON events (name, received_at, id);
