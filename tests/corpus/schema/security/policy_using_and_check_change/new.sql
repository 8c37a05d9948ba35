CREATE TABLE docs (id int PRIMARY KEY, owner_name text, published boolean);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY edit ON docs FOR UPDATE TO corpus_writer USING (owner_name = current_user OR published)
  WITH CHECK (owner_name = current_user);
CREATE POLICY read ON docs FOR SELECT TO corpus_reader USING (published AND id > 0);
CREATE POLICY write ON docs AS RESTRICTIVE FOR INSERT TO PUBLIC WITH CHECK (owner_name IS NOT NULL);
