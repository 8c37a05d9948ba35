CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE VIEW v AS SELECT name, id FROM t;
