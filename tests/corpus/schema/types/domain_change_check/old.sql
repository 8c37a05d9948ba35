CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%'); CREATE TABLE u (e email); INSERT INTO u VALUES ('a@b.c');
