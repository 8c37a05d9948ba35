CREATE SCHEMA app; GRANT USAGE ON SCHEMA app TO corpus_reader; GRANT CREATE ON SCHEMA app TO corpus_writer;
