\ir view_a.sql
\if :tax_included
CREATE VIEW :"schema_name".item_taxed AS SELECT id, :"schema_name".price_with_tax(price) AS price FROM :"schema_name".item;
\endif
