CREATE TYPE s AS ENUM ('draft', 'live');
CREATE TABLE p (st s DEFAULT 'draft');
