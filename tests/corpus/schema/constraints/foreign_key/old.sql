CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE TABLE c (id int PRIMARY KEY, t_id int);
