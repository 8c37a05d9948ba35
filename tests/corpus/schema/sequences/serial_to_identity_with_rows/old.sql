CREATE TABLE t (id serial PRIMARY KEY, v text);
INSERT INTO t (v) SELECT 'row ' || g FROM generate_series(1, 50) g;
