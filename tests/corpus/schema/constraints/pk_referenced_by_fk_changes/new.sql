CREATE TABLE p (id int, k int, CONSTRAINT p_pkey PRIMARY KEY (id), CONSTRAINT p_id_k UNIQUE (id, k)); CREATE TABLE c (p_id int REFERENCES p);
