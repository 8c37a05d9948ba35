CREATE SCHEMA util; CREATE FUNCTION util.now_utc() RETURNS timestamp LANGUAGE sql STABLE AS $$ SELECT now() AT TIME ZONE 'utc' $$;
