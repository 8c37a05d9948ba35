CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE UNIQUE INDEX t_name_u ON t (name);
