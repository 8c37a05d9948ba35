CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v AS SELECT id, name FROM t;
COMMENT ON COLUMN v.id IS 'the key'; COMMENT ON COLUMN v.name IS 'shown to users';
CREATE MATERIALIZED VIEW m AS SELECT id FROM t; COMMENT ON COLUMN m.id IS 'materialized key';
