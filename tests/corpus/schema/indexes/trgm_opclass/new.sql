CREATE EXTENSION pg_trgm;
CREATE TABLE doc (id int PRIMARY KEY, body text);
CREATE INDEX doc_body_trgm ON doc USING gin (body gin_trgm_ops);
