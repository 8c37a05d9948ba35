CREATE FUNCTION price(a int) RETURNS numeric LANGUAGE sql AS 'SELECT a::numeric';
REVOKE ALL ON FUNCTION price(int) FROM PUBLIC; GRANT EXECUTE ON FUNCTION price(int) TO corpus_reader;
