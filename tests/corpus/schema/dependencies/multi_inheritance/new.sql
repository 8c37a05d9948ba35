CREATE TABLE a (x int); CREATE TABLE b (y int); CREATE TABLE c (z int) INHERITS (a, b);
