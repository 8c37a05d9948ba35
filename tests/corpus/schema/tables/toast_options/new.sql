CREATE TABLE doc (id int PRIMARY KEY, body text) WITH (fillfactor = 90, autovacuum_vacuum_scale_factor = 0.05, toast.autovacuum_enabled = false, toast.vacuum_truncate = false);
