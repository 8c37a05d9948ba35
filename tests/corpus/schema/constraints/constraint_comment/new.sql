CREATE TABLE t (id integer PRIMARY KEY, name text); ALTER TABLE t ADD CONSTRAINT nm CHECK (name <> ''); COMMENT ON CONSTRAINT nm ON t IS 'no empty names';
