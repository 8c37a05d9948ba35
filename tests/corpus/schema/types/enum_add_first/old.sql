CREATE TYPE s AS ENUM ('b','c');
