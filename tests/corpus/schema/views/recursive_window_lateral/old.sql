CREATE TABLE node (id int PRIMARY KEY, parent int REFERENCES node, score int);
