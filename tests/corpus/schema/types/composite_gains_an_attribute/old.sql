CREATE TYPE addr AS (street text, zip int);
CREATE TABLE p (id int, home addr);
INSERT INTO p VALUES (1, ROW('main', 123));
