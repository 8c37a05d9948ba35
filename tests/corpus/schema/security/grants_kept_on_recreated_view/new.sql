CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v AS SELECT name FROM t; GRANT SELECT ON v TO corpus_reader;
