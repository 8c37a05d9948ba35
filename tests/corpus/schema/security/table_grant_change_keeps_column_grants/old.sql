CREATE TABLE t (id integer PRIMARY KEY, name text);
GRANT SELECT ON t TO corpus_reader; GRANT UPDATE (name) ON t TO corpus_reader;
