CREATE TABLE ev (id int PRIMARY KEY, kind text, at timestamptz);
ALTER TABLE ev ALTER COLUMN at SET STATISTICS 200;
