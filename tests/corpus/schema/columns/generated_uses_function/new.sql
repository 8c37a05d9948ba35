CREATE FUNCTION norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT lower(trim($1))';
CREATE TABLE p (name text, key text GENERATED ALWAYS AS (norm(name)) STORED);
INSERT INTO p (name) VALUES ('Ab');
