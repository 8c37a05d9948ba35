CREATE SCHEMA hectic;
CREATE TABLE hectic.created_at (created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE item (id int PRIMARY KEY, name text) INHERITS (hectic.created_at);
CREATE TABLE note (id int PRIMARY KEY, body text) INHERITS (hectic.created_at);
INSERT INTO item (id, name) VALUES (1, 'kept');
