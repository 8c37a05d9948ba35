CREATE SCHEMA :"schema_name";
CREATE TABLE :"schema_name".item (id serial PRIMARY KEY, name text NOT NULL, price numeric(10,2));
\ir ../common/functions.sql
