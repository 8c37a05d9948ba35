CREATE TABLE t (id integer PRIMARY KEY, name text, extra int); CREATE FUNCTION all_t() RETURNS SETOF t LANGUAGE sql AS 'SELECT * FROM t';
