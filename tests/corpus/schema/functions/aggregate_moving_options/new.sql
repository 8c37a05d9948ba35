CREATE FUNCTION add2(s int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT s + v';
CREATE FUNCTION sub2(s int, v int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT s - v';
CREATE FUNCTION as_text(s int) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT s::text';
-- A moving-aggregate implementation for window frames, and a final function that may share state.
CREATE AGGREGATE running_total(int) (SFUNC = add2, STYPE = int, INITCOND = '0', SSPACE = 16,
  FINALFUNC = as_text, FINALFUNC_MODIFY = SHAREABLE,
  MSFUNC = add2, MINVFUNC = sub2, MSTYPE = int, MINITCOND = '0', MFINALFUNC = as_text, PARALLEL = RESTRICTED);
