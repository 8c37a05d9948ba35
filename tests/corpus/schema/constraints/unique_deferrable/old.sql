CREATE TABLE slot (pos int, CONSTRAINT slot_pos UNIQUE (pos));
