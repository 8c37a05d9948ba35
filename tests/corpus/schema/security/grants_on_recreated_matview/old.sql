CREATE TABLE t (id int PRIMARY KEY, amount int);
CREATE MATERIALIZED VIEW totals AS SELECT id, amount FROM t;
GRANT SELECT ON totals TO corpus_reader; GRANT SELECT (id) ON totals TO corpus_writer;
