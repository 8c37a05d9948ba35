CREATE TABLE t (id integer PRIMARY KEY, name text, secret text); CREATE VIEW v AS SELECT id, name FROM t;
GRANT SELECT (id) ON t TO corpus_reader;
