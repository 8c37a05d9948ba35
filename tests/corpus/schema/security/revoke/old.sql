CREATE TABLE t (id integer PRIMARY KEY, name text); GRANT SELECT, UPDATE ON t TO corpus_reader;
