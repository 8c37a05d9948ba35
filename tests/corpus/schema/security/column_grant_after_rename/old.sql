CREATE TABLE people (id int PRIMARY KEY, mail text);
GRANT SELECT (id, mail), UPDATE (mail) ON people TO corpus_reader;
