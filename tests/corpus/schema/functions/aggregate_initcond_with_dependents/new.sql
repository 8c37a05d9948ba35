CREATE TABLE sales (amount int);
CREATE FUNCTION add2(s int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT s + v';
CREATE FUNCTION as_text(s int) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT s::text';
CREATE AGGREGATE total(int) (SFUNC = add2, STYPE = int, FINALFUNC = as_text, INITCOND = '100');
CREATE VIEW sales_total AS SELECT total(amount) AS amount FROM sales;
GRANT SELECT ON sales_total TO corpus_reader;
REVOKE ALL ON FUNCTION total(int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION total(int) TO corpus_reader;
