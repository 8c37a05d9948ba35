CREATE TABLE tenant (id int PRIMARY KEY);
CREATE TABLE doc (tenant_id int NOT NULL, author int, PRIMARY KEY (tenant_id, author));
CREATE TABLE msg (tenant_id int NOT NULL, author int, FOREIGN KEY (tenant_id, author) REFERENCES doc);
