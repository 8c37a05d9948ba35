CREATE TABLE docs (id int PRIMARY KEY, owner_name text, published boolean);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY edit ON docs FOR UPDATE TO corpus_writer USING (owner_name = current_user);
CREATE POLICY read ON docs FOR SELECT USING (published);
