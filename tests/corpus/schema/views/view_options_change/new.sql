CREATE TABLE t (id integer PRIMARY KEY, name text);
CREATE VIEW v WITH (security_invoker = true) AS SELECT id, name FROM t WHERE id > 0 WITH LOCAL CHECK OPTION;
CREATE VIEW w WITH (security_invoker = on, security_barrier = true) AS SELECT id FROM t;
