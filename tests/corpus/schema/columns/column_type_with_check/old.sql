CREATE TABLE t (n int CHECK (n > 0));
