CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%.%'); CREATE TABLE u (e email);
