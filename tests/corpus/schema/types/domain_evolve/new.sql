CREATE DOMAIN email AS text DEFAULT 'nobody@example.com' NOT NULL CONSTRAINT has_at CHECK (VALUE LIKE '%@%');
CREATE TABLE u (e email);
