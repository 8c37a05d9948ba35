CREATE FUNCTION ddl_note() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$; CREATE EVENT TRIGGER no_drops ON sql_drop EXECUTE FUNCTION ddl_note();
