CREATE TABLE t (id integer PRIMARY KEY, name text);CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
