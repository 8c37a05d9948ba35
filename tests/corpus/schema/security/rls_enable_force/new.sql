CREATE TABLE docs (id int PRIMARY KEY, owner_name text);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY; ALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE POLICY own_docs ON docs FOR ALL TO corpus_reader, corpus_writer USING (owner_name = current_user);
