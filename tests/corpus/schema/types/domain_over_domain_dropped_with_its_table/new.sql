CREATE DOMAIN d1 AS text;
CREATE TABLE kept (id int);
