CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE item (id int PRIMARY KEY, name text, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO item (id, name) VALUES (1, 'a');
