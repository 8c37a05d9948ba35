CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM t; CREATE INDEX mv_n ON mv (n);
