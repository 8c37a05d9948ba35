CREATE TABLE base (id int, created timestamptz DEFAULT now()); CREATE TABLE child (extra text) INHERITS (base);
