CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v AS SELECT id::bigint AS id FROM t;
