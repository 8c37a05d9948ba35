CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.x = now(); RETURN NEW; END$$;
CREATE FUNCTION positive(v int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT v > 0';
CREATE FUNCTION folded(v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT v % 10';
CREATE TABLE t (id int CHECK (positive(id)), x timestamptz);
CREATE INDEX t_folded ON t ((folded(id)));
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TABLE kept (id int);
