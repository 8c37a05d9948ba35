CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v AS SELECT id, name FROM t;
COMMENT ON COLUMN v.name IS 'old words';
