CREATE DOMAIN money2 AS numeric(12,2) CHECK (VALUE >= 0); CREATE TABLE p (price money2); CREATE FUNCTION dbl(m money2) RETURNS money2 LANGUAGE sql AS 'SELECT (m * 2)::money2';
