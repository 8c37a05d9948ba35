CREATE TABLE t (id integer PRIMARY KEY, name text); ALTER TABLE t ADD CONSTRAINT name_len CHECK (length(name) > 0);
