CREATE TABLE hot (id int PRIMARY KEY, n int) WITH (autovacuum_vacuum_threshold = 1000);
