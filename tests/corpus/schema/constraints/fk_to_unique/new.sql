CREATE TABLE a (code text UNIQUE); CREATE TABLE b (code text REFERENCES a (code));
