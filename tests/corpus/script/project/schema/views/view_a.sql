CREATE VIEW :"schema_name".item_names AS SELECT name FROM :"schema_name".item ORDER BY name;
