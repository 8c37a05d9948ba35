CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE coded (id int PRIMARY KEY, code bigint DEFAULT next_code());
