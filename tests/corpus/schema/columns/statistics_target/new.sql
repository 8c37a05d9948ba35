CREATE TABLE ev (id int PRIMARY KEY, kind text, at timestamptz);
ALTER TABLE ev ALTER COLUMN kind SET STATISTICS 1000;
