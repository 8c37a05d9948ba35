CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE TABLE audit.log (at timestamptz DEFAULT now(), what text);
CREATE FUNCTION app.note(w text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN INSERT INTO audit.log (what) VALUES (w); END $$;
CREATE TABLE app.thing (id int);
CREATE FUNCTION app.thing_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM app.note(TG_OP); RETURN NEW; END $$;
CREATE TRIGGER thing_audit AFTER INSERT ON app.thing FOR EACH ROW EXECUTE FUNCTION app.thing_audit();
