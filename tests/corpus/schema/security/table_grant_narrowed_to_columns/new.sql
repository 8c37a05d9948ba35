-- A role narrowed from the whole table to some columns: revoking the table privilege takes the
-- column privileges along (REVOKE), so those are granted after it.
CREATE TABLE people (id int PRIMARY KEY, name text, salary numeric);
GRANT SELECT (id, name), UPDATE (name) ON people TO corpus_reader;
