CREATE TYPE s AS ENUM ('a','b','c'); CREATE TABLE x (v s); INSERT INTO x VALUES ('b');
