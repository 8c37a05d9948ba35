CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE TABLE c (t_id int REFERENCES t);
