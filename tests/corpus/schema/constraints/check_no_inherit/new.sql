CREATE TABLE parent (v int, CONSTRAINT only_here CHECK (v > 0) NO INHERIT);
CREATE TABLE child () INHERITS (parent);
