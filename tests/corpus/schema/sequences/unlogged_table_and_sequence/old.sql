CREATE TABLE cache (id int PRIMARY KEY);
CREATE SEQUENCE cache_ids OWNED BY cache.id;
