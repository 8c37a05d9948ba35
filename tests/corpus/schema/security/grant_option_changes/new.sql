CREATE TABLE t (id integer PRIMARY KEY, name text);
GRANT SELECT ON t TO corpus_reader WITH GRANT OPTION; GRANT INSERT ON t TO corpus_reader;
GRANT SELECT ON t TO corpus_writer WITH GRANT OPTION;
