-- Fails inside the script's own transaction: nothing of it stays (psql's session ends).
CREATE TABLE before (id int);
INSERT INTO before VALUES (1);
BEGIN;
INSERT INTO before VALUES (2);
CREATE TABLE inside (id int);
INSERT INTO inside VALUES (1);
SELECT 1/0;
COMMIT;
INSERT INTO before VALUES (3);
