CREATE TABLE keep (id int);
-- New objects start with EXECUTE / USAGE for PUBLIC: the desired state takes them away.
CREATE FUNCTION secret_sum(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b';
REVOKE ALL ON FUNCTION secret_sum(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION secret_sum(int, int) TO corpus_reader;
CREATE TYPE private_mood AS ENUM ('calm', 'tense');
REVOKE ALL ON TYPE private_mood FROM PUBLIC;
