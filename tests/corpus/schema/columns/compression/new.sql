CREATE TABLE blob (id int PRIMARY KEY, payload text COMPRESSION lz4, meta jsonb);
