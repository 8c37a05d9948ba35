CREATE TABLE t (name text COLLATE "C");
CREATE INDEX t_name ON t (name);
