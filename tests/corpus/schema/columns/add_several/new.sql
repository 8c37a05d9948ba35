CREATE TABLE t (id int, a text, b boolean DEFAULT false NOT NULL, c date);
