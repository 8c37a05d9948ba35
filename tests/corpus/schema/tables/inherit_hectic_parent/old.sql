CREATE SCHEMA hectic;
CREATE TABLE hectic.created_at (created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE item (id int PRIMARY KEY, name text);
CREATE TABLE note (id int PRIMARY KEY) INHERITS (hectic.created_at);
INSERT INTO item (id, name) VALUES (1, 'kept');
