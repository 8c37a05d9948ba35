CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX t_p ON t (name) WHERE id > 0;
