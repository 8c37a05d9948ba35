CREATE TABLE audit (id int PRIMARY KEY, what text);
CREATE TABLE queue (id int PRIMARY KEY, job text);
