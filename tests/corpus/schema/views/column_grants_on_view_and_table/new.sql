CREATE TABLE t (id integer PRIMARY KEY, name text, secret text); CREATE VIEW v AS SELECT id, name FROM t;
GRANT SELECT (id, name) ON t TO corpus_reader; GRANT UPDATE (name) ON t TO corpus_writer;
GRANT SELECT (id, name) ON v TO corpus_reader; GRANT UPDATE (name) ON v TO corpus_writer WITH GRANT OPTION;
