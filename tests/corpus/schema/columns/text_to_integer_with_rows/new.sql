CREATE TABLE item (id int PRIMARY KEY, qty integer);
INSERT INTO item VALUES (1, 42);
