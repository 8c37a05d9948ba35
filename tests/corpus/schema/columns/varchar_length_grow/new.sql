CREATE TABLE t (s varchar(50));
