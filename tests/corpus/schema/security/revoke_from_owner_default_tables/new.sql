CREATE TABLE t (id int);
-- A global row can take privileges away from the owner's own new objects.
ALTER DEFAULT PRIVILEGES REVOKE TRUNCATE ON TABLES FROM CURRENT_USER;
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO corpus_reader;
