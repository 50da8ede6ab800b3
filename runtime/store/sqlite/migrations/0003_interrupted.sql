-- How many times a run was taken from a process that died while running it:
-- the step it was executing then counts one more attempt.
ALTER TABLE runs ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
