CREATE TYPE textrange AS RANGE (subtype = text, collation = "C", multirange_type_name = textranges);
CREATE FUNCTION widest(r textrange) RETURNS text LANGUAGE sql AS 'SELECT upper(r)';
