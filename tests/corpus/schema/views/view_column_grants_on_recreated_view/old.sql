CREATE TABLE t (id int PRIMARY KEY, name text, note text);
CREATE VIEW v AS SELECT id, name, note FROM t;
COMMENT ON COLUMN v.name IS 'display name';
GRANT SELECT (id, name) ON v TO corpus_reader; GRANT UPDATE (note) ON v TO corpus_writer;
