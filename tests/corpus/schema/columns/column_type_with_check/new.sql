CREATE TABLE t (n bigint CHECK (n > 0));
