-- The function is rebuilt (its result changes) and a serial's sequence is created after the
-- default privileges changed: each gets what the new defaults give, then its own grants.
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO corpus_writer;
CREATE FUNCTION price(a int) RETURNS numeric LANGUAGE sql AS 'SELECT a::numeric';
GRANT EXECUTE ON FUNCTION price(int) TO corpus_reader;
CREATE TABLE items (id int, serial_no serial);
