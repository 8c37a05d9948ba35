-- GRANT ... ON ALL SEQUENCES takes in the identity columns' sequences too.
CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
CREATE TABLE lines (id serial PRIMARY KEY, order_id int);
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO corpus_writer;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO corpus_writer;
