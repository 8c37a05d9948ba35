-- New objects get what the default privileges in force when they are created say: the diff
-- changes the default privileges first, then grants the rest.
CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO corpus_writer;
CREATE TABLE app.orders (id int PRIMARY KEY);
CREATE VIEW app.recent AS SELECT id FROM app.orders;
CREATE FUNCTION app.order_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM app.orders';
GRANT SELECT ON app.orders TO corpus_reader;
