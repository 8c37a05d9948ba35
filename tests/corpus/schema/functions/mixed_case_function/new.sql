CREATE FUNCTION "Get Name"(id int) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
