CREATE TYPE s AS ENUM ('c','b','a'); CREATE TABLE x (v s);
