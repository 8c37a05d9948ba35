CREATE TABLE secrets (id int, value text);
CREATE FUNCTION read_secret(p_id int) RETURNS text LANGUAGE sql SECURITY DEFINER
  AS 'SELECT value FROM public.secrets WHERE id = p_id';
