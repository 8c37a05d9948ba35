CREATE TABLE node (id int PRIMARY KEY, parent int REFERENCES node, score int);
CREATE VIEW tree AS WITH RECURSIVE t(id, depth) AS (SELECT id, 0 FROM node WHERE parent IS NULL UNION ALL SELECT n.id, t.depth + 1 FROM node n JOIN t ON n.parent = t.id) SELECT * FROM t;
CREATE VIEW ranked AS SELECT id, rank() OVER (PARTITION BY parent ORDER BY score DESC) AS r FROM node;
CREATE VIEW top_child AS SELECT n.id, c.id AS child FROM node n CROSS JOIN LATERAL (SELECT id FROM node x WHERE x.parent = n.id ORDER BY score DESC LIMIT 1) c;
