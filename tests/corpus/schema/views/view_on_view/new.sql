CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v1 AS SELECT id, name, 1 AS one FROM t; CREATE VIEW v2 AS SELECT id, one FROM v1;
