CREATE EXTENSION citext;
CREATE TABLE account (id int PRIMARY KEY, email citext NOT NULL);
