-- Fails on COPY data: the rows before the COPY stay, the COPY's rows do not.
CREATE TABLE c (a int, b text);
INSERT INTO c VALUES (0, 'before');
COPY c (a, b) FROM stdin;
1	one
x	bad
\.
INSERT INTO c VALUES (9, 'never');
