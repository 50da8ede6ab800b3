-- The store's identity and the number of write transactions committed to
-- it. Open compares them with the history the store keeps beside the
-- database (<file>-durable) to notice lost commits and replaced files.
CREATE TABLE store_meta (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    identity TEXT NOT NULL,
    commits  INTEGER NOT NULL
);
INSERT INTO store_meta (id, identity, commits) VALUES (1, lower(hex(randomblob(16))), 0);
