CREATE TYPE s AS ENUM ('draft', 'published');
CREATE TABLE p (st s DEFAULT 'draft');
