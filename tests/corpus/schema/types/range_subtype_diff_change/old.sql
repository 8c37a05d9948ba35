CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE TABLE readings (id int PRIMARY KEY, span floatrange);
INSERT INTO readings VALUES (1, '[1.5,2.5)');
