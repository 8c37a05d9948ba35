CREATE FUNCTION next_code() RETURNS bigint LANGUAGE sql AS 'SELECT 2::bigint';
CREATE TABLE coded (id int PRIMARY KEY, code bigint DEFAULT next_code());
