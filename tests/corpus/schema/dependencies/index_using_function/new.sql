CREATE FUNCTION norm(x text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(x)'; CREATE TABLE t (s text); CREATE INDEX t_norm ON t (norm(s));
