CREATE UNLOGGED TABLE a_parent (id int PRIMARY KEY);
CREATE UNLOGGED TABLE b_child (id int PRIMARY KEY, parent_id int REFERENCES a_parent);
