-- Revoking a table privilege takes the column privileges along (REVOKE): only what goes is revoked.
CREATE TABLE t (id integer PRIMARY KEY, name text);
GRANT SELECT, INSERT ON t TO corpus_reader; GRANT UPDATE (name) ON t TO corpus_reader;
