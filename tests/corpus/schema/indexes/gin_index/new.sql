CREATE TABLE d (j jsonb); CREATE INDEX d_j ON d USING gin (j jsonb_path_ops);
