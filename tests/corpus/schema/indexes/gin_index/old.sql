CREATE TABLE d (j jsonb);
