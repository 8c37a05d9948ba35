CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX t_name_idx ON t (lower(name)) WHERE name IS NOT NULL;
