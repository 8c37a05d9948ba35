CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE MATERIALIZED VIEW m AS SELECT id, name FROM t;
GRANT SELECT ON m TO corpus_reader; GRANT SELECT (id) ON m TO corpus_writer;
