CREATE TABLE t (id integer PRIMARY KEY, name text); ALTER TABLE t ADD CONSTRAINT nm CHECK (name <> '');
