CREATE TABLE item (id int PRIMARY KEY, qty text);
INSERT INTO item VALUES (1, '42');
