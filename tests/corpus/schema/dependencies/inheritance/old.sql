CREATE TABLE base (id int, created timestamptz DEFAULT now());
