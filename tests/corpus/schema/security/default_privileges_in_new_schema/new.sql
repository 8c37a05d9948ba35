CREATE TABLE keep (id int);
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SCHEMAS TO corpus_reader;
CREATE SCHEMA reporting;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT SELECT ON TABLES TO corpus_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting GRANT EXECUTE ON FUNCTIONS TO corpus_writer;
CREATE TABLE reporting.daily (day date PRIMARY KEY, total numeric);
CREATE FUNCTION reporting.latest() RETURNS date LANGUAGE sql AS 'SELECT max(day) FROM reporting.daily';
REVOKE SELECT ON reporting.daily FROM corpus_reader;
