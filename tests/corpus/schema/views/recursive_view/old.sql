CREATE TABLE n (id int, parent int);
