CREATE TABLE crlf (a int, b text);
\set v 'x y'
\echo :v
INSERT INTO crlf VALUES (1, :'v');
COPY crlf FROM stdin;
2	two
3	three
\.
SELECT a, b FROM crlf ORDER BY a;
