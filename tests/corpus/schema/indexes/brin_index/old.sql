CREATE TABLE l (at timestamptz);
