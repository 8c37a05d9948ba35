copy t from stdin;
1
\.
select $a$ $$ $a$, E'\'';
