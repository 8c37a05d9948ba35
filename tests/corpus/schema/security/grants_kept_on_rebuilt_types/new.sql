-- The enum loses a value and the domain's check changes: both are rebuilt, their grants kept.
CREATE TYPE mood AS ENUM ('calm', 'tense');
CREATE DOMAIN positive AS int CHECK (VALUE >= 1);
CREATE TABLE people (id int PRIMARY KEY, mood mood, score positive);
REVOKE ALL ON TYPE mood FROM PUBLIC; GRANT USAGE ON TYPE mood TO corpus_reader;
REVOKE ALL ON DOMAIN positive FROM PUBLIC; GRANT USAGE ON DOMAIN positive TO corpus_writer;
