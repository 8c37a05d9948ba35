CREATE TYPE old_status AS ENUM ('a', 'b');
CREATE TYPE new_status AS ENUM ('a', 'b', 'c');
CREATE TABLE items (id bigint PRIMARY KEY, status old_status NOT NULL);
