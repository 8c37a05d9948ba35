CREATE TABLE stamped (created_at timestamptz NOT NULL DEFAULT now(), note text COMPRESSION lz4);
ALTER TABLE stamped ALTER COLUMN note SET STATISTICS 50;
CREATE TABLE item (id int PRIMARY KEY) INHERITS (stamped);
