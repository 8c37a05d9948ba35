CREATE TABLE secrets (id int, value text);
CREATE FUNCTION read_secret(p_id int) RETURNS text LANGUAGE sql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp
  AS 'SELECT value FROM public.secrets WHERE id = p_id';
REVOKE ALL ON FUNCTION read_secret(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION read_secret(int) TO corpus_reader;
