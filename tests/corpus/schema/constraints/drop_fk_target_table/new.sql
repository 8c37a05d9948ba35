CREATE TABLE c (t_id int);
