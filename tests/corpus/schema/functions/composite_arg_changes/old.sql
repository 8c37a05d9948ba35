CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION total(p pair) RETURNS int LANGUAGE sql AS 'SELECT p.a + p.b';
