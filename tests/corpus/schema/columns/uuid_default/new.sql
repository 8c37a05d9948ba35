CREATE TABLE t (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
