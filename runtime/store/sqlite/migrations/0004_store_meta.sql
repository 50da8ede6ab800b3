-- The store's identity and the number of write transactions committed to
-- it. Open compares them with the history the store keeps beside the
-- database (<file>-durable) to notice lost commits and replaced files.
-- opened_as and open say under which name the database was last opened and
-- whether it was closed since: the -wal file of a crashed owner sits beside
-- that name, and SQLite looks for it only there.
CREATE TABLE store_meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    identity  TEXT NOT NULL,
    commits   INTEGER NOT NULL,
    opened_as TEXT NOT NULL DEFAULT '',
    open      INTEGER NOT NULL DEFAULT 0
);
INSERT INTO store_meta (id, identity, commits) VALUES (1, lower(hex(randomblob(16))), 0);
