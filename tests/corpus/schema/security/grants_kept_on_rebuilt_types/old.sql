CREATE TYPE mood AS ENUM ('calm', 'tense', 'angry');
CREATE DOMAIN positive AS int CHECK (VALUE > 0);
CREATE TABLE people (id int PRIMARY KEY, mood mood, score positive);
REVOKE ALL ON TYPE mood FROM PUBLIC; GRANT USAGE ON TYPE mood TO corpus_reader;
REVOKE ALL ON DOMAIN positive FROM PUBLIC; GRANT USAGE ON DOMAIN positive TO corpus_writer;
