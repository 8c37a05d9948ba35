CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v WITH (security_barrier) AS SELECT id FROM t;
