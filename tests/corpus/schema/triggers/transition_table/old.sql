CREATE TABLE t (id int);
CREATE TABLE audit (n bigint);
CREATE FUNCTION count_new() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit SELECT count(*) FROM new_rows; RETURN NULL; END $$;
