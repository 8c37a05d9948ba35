CREATE TABLE price (net numeric, vat numeric GENERATED ALWAYS AS (net * 0.2) STORED);
INSERT INTO price (net) VALUES (100);
