CREATE TABLE t (id integer PRIMARY KEY, name text); ALTER TABLE t ADD CONSTRAINT t_name_key UNIQUE (name);
