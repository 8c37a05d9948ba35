CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE item (id int PRIMARY KEY, name text) INHERITS (stamped);
CREATE TABLE other (id int) INHERITS (stamped);
