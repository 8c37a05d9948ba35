CREATE TABLE people (id int PRIMARY KEY, name text, salary numeric);
GRANT SELECT, UPDATE ON people TO corpus_reader;
