INSERT INTO :"schema_name".item (name, price) VALUES ('apple', 1.50), ('pear', 2.25);
\ir more/data2.sql
