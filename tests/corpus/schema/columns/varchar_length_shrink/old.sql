CREATE TABLE t (s varchar(50)); INSERT INTO t VALUES ('abc');
