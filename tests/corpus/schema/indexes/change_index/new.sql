CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE UNIQUE INDEX t_name_idx ON t (name) INCLUDE (id);
