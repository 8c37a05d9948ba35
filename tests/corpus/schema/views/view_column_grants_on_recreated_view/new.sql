-- The view loses a column, so it is dropped and created again: its column comments and
-- column privileges come back with it.
CREATE TABLE t (id int PRIMARY KEY, name text, note text);
CREATE VIEW v AS SELECT id, name FROM t;
COMMENT ON COLUMN v.name IS 'display name';
GRANT SELECT (id, name) ON v TO corpus_reader;
