CREATE TABLE t (id integer PRIMARY KEY, name text, data jsonb NOT NULL DEFAULT '{}'::jsonb);
