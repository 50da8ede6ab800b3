-- A run's row is updated while it runs (the commits of its steps) without
-- changing an indexed column: with room left on its page, PostgreSQL keeps
-- the new version there and adds no index entry (a HOT update).
ALTER TABLE runs SET (fillfactor = 70);
