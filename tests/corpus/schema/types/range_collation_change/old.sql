CREATE TYPE textrange AS RANGE (subtype = text);
CREATE FUNCTION widest(r textrange) RETURNS text LANGUAGE sql AS 'SELECT upper(r)';
