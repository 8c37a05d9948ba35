CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE owned (owner_id int);
CREATE TABLE item (id int PRIMARY KEY) INHERITS (stamped, owned);
