CREATE TABLE hot (id int PRIMARY KEY, n int) WITH (fillfactor = 50, autovacuum_vacuum_threshold = 100, toast.autovacuum_vacuum_threshold = 200);
