CREATE TABLE ev (id int PRIMARY KEY, kind text, user_id int);
ALTER TABLE ev ALTER COLUMN user_id SET (n_distinct = 5000);
