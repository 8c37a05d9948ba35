CREATE TABLE t (id integer PRIMARY KEY, name text); CREATE INDEX "Idx Name" ON t (name);
