CREATE TABLE t ("CamelCase" int);
