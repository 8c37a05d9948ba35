CREATE TYPE addr AS (street text, zip int, city text);
CREATE TABLE p (id int, home addr);
