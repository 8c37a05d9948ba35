CREATE TABLE t (a int, b int, CONSTRAINT t_pkey PRIMARY KEY (a));
