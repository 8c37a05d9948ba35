CREATE TABLE t (n numeric(10,2));
