CREATE TABLE t (id bigserial PRIMARY KEY, v text);
INSERT INTO t (v) VALUES ('a'), ('b');
