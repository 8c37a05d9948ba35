CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX t_lower ON t (lower(name));
