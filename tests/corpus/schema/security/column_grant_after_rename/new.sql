CREATE TABLE people (
  id int PRIMARY KEY,
  -- @renamed from=mail
  email text
);
GRANT SELECT (id, email), UPDATE (email) ON people TO corpus_reader;
