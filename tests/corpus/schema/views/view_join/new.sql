CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE TABLE c (t_id int, x int); CREATE VIEW j AS SELECT t.name, sum(c.x) AS total FROM t JOIN c ON c.t_id = t.id GROUP BY t.name;
