CREATE TABLE c (z int, label text);
