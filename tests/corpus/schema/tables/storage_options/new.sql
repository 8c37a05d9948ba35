CREATE TABLE t (id integer PRIMARY KEY, name text) WITH (fillfactor=70);
