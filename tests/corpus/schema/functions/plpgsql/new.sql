CREATE FUNCTION inc(INOUT n int) LANGUAGE plpgsql AS $$ BEGIN n := n + 1; END $$;
