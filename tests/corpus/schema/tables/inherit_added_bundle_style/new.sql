CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz);
CREATE TABLE item (id int PRIMARY KEY, name text) INHERITS (stamped);
INSERT INTO item (id, name) VALUES (1, 'a');
