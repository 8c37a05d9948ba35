CREATE TABLE blob (id int PRIMARY KEY, payload text, meta jsonb COMPRESSION pglz);
