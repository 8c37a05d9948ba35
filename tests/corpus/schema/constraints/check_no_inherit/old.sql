CREATE TABLE parent (v int);
CREATE TABLE child () INHERITS (parent);
