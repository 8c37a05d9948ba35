CREATE TABLE person (id int PRIMARY KEY, name text);
CREATE INDEX person_name ON person (name);
