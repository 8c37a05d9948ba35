CREATE TABLE t (id integer PRIMARY KEY, name text); ALTER TABLE t ENABLE ROW LEVEL SECURITY; CREATE POLICY p ON t TO corpus_reader, corpus_writer USING (true);
