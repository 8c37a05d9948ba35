CREATE TABLE t (n numeric(12,4));
