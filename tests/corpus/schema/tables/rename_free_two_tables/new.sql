CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE TABLE t2 (id integer);
