CREATE TABLE t (n int); CREATE INDEX t_n ON t (n);
