CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX t_n ON t (name);
