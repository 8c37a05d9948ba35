CREATE TABLE t (a int, b int);
CREATE VIEW v AS SELECT a AS alpha, b FROM t;
CREATE VIEW w AS SELECT alpha FROM v;
