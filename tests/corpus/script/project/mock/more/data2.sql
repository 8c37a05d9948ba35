\set mock_name 'mock''s item'
INSERT INTO :"schema_name".item (name, price) VALUES (:'mock_name', 9.99);
