CREATE TABLE t (id integer PRIMARY KEY, name text); GRANT SELECT (name), UPDATE (name) ON t TO corpus_reader;
