CREATE TABLE t (n bigint); CREATE INDEX t_n ON t (n);
