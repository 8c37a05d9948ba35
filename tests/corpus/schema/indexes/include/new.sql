CREATE TABLE o (id int, customer int, total numeric);
CREATE INDEX o_customer ON o (customer) INCLUDE (total);
