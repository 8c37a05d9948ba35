CREATE TABLE person (id int PRIMARY KEY, name text COLLATE "C");
CREATE INDEX person_name ON person (name);
