CREATE TABLE n (id int, parent int); CREATE RECURSIVE VIEW tree (id, depth) AS SELECT id, 0 FROM n WHERE parent IS NULL UNION ALL SELECT n.id, tree.depth + 1 FROM n JOIN tree ON n.parent = tree.id;
