CREATE SCHEMA bundle; CREATE TABLE bundle.stamped (created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz); CREATE TABLE app_user (id int PRIMARY KEY) INHERITS (bundle.stamped);
