CREATE TABLE ev (id int PRIMARY KEY, kind text, user_id int);
ALTER TABLE ev ALTER COLUMN kind SET (n_distinct = 12, n_distinct_inherited = 12);
ALTER TABLE ev ALTER COLUMN user_id SET (n_distinct = -0.1);
