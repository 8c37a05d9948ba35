-- pgTAP output must come out as TAP lines, as with psql -At.
CREATE EXTENSION IF NOT EXISTS pgtap;
BEGIN;
SELECT plan(4);
CREATE TABLE tapped (id int PRIMARY KEY, name text);
INSERT INTO tapped VALUES (1, 'one');
INSERT INTO tapped VALUES (2, 'two');
SELECT has_table('tapped');
SELECT is((SELECT count(*)::int FROM tapped), 2, 'two rows');
SELECT ok(true, 'a passing test; with a semicolon');
SELECT results_eq('SELECT name FROM tapped ORDER BY id', ARRAY['one', 'two'], 'names');
SELECT * FROM finish();
ROLLBACK;
CREATE TABLE kept (id int);
