-- Hand-written edge cases: both runners must leave identical databases and print the same.
SET client_min_messages = warning;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
ALTER TYPE app.mood ADD VALUE 'happy';
CREATE DOMAIN app.posint AS integer CHECK (VALUE > 0);
CREATE TABLE app.t (
  id serial PRIMARY KEY,
  "weird;name" text DEFAULT 'a;b',  -- a comment with ; and $$ and 'quote
  mood app.mood DEFAULT 'happy',
  n app.posint,
  data jsonb,
  arr text[],
  bin bytea
);
/* block /* nested ; */ still a comment $$ ' " */
INSERT INTO app.t ("weird;name", mood, n, data, arr, bin) VALUES
  (E'tab\there\nnewline \\ backslash \'quote\'', 'ok', 1, '{"a": "x;y"}', ARRAY['x','y;z'], '\x00ff'),
  ('it''s', 'sad', 2, NULL, '{}', NULL);
INSERT INTO app.t (n) VALUES (3); INSERT INTO app.t (n) VALUES (4);
INSERT INTO app.t (n, data) VALUES (5, $j${"dollar": "$$ ; $x$"}$j$);
CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE plpgsql AS $body$
BEGIN
  -- ; inside a dollar body, and $$ too
  RETURN x + 1;
END
$body$;
CREATE FUNCTION app.g(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT x * 2;
END;
CREATE PROCEDURE app.p() LANGUAGE sql BEGIN ATOMIC INSERT INTO app.t (n) VALUES (6); INSERT INTO app.t (n) VALUES (7); END;
CALL app.p();
DO $$ BEGIN PERFORM 1; END $$;
CREATE TABLE app."Mixed Case" (x int);
\set tbl app.t
\set lit 'x''y'
\set ident 'Quoted Col'
\set several a b 'c d'
ALTER TABLE :tbl ADD COLUMN :"ident" text DEFAULT :'lit';
INSERT INTO :tbl (n, "Quoted Col") VALUES (:{?tbl}::int + 7, :'lit'::text);
INSERT INTO :tbl (n, "Quoted Col") VALUES (9, :'several');
SELECT :'lit'::text AS v, 1::int, :'ident'::text;
\echo echo line :lit :'lit' :"ident" :{?nope}
\qecho qecho line
CREATE TABLE app.u (id int PRIMARY KEY, t_id int REFERENCES app.t(id) DEFERRABLE INITIALLY DEFERRED);
BEGIN;
INSERT INTO app.u VALUES (1, 1);
INSERT INTO app.u VALUES (2, 2);
COMMIT;
CREATE TABLE app.c (a int, b text);
COPY app.c (a, b) FROM stdin;
1	one
2	\N
3	with\ttab; and $$
\.
SELECT count(*) FROM app.c;
CREATE VIEW app.v AS SELECT id, n FROM app.t WHERE n > 2;
COMMENT ON TABLE app.t IS 'a table; with a semicolon';
CREATE INDEX t_n ON app.t (n);
SELECT id, n, "weird;name" IS NULL FROM app.t ORDER BY id;
SELECT NULL, 'x', 1, '', 'a|b';
SELECT app.f(1), app.g(2);
SELECT;
SELECT 1 WHERE false;
VALUES (1, 'one'), (2, NULL);
TABLE app.c;
SHOW search_path;
SELECT E'multi\nline', ARRAY[1,2], '{"k": [1, null]}'::jsonb, 'é'::text, 1.50::numeric;
\echo -n no newline
\echo
\echo 'quoted \t tab' "double quoted" :"ident"
INSERT INTO app.c VALUES (10, 'compound') \; INSERT INTO app.c VALUES (11, 'query');
UPDATE app.c SET b = b || '!' WHERE a >= 10 \; SELECT a, b FROM app.c WHERE a >= 10 ORDER BY a;
\if true
  SELECT 'if branch';
\elif false
  SELECT 'elif branch';
\else
  SELECT 'else branch';
\endif
\if no
  SELECT :undefined_in_skipped;
  \gset skipped_
  \if yes
    SELECT 'nested in a skipped branch';
  \endif
\elif on
  SELECT 'elif taken';
\else
  SELECT 'else not taken';
\endif
\unset lit
SELECT ':lit' AS not_interpolated, $q$:lit$q$, ':''lit''';
\warn a warning line
-- the last statement has no semicolon
SELECT 'last'
