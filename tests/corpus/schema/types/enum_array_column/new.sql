CREATE TYPE s AS ENUM ('a','c'); CREATE TABLE x (v s[]);
