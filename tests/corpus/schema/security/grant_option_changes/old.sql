CREATE TABLE t (id integer PRIMARY KEY, name text);
GRANT SELECT, INSERT ON t TO corpus_reader WITH GRANT OPTION;
GRANT SELECT ON t TO corpus_writer;
