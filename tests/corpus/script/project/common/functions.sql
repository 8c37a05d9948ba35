CREATE FUNCTION :"schema_name".price_with_tax(p numeric) RETURNS numeric LANGUAGE sql IMMUTABLE
RETURN p * 1.2;
\set tax_included true
