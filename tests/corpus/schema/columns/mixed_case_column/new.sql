CREATE TABLE t ("CamelCase" bigint NOT NULL DEFAULT 1);
