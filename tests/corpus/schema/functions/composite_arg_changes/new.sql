CREATE TYPE pair AS (a bigint, b bigint);
CREATE FUNCTION total(p pair) RETURNS bigint LANGUAGE sql AS 'SELECT p.a + p.b';
