CREATE TABLE account (id int PRIMARY KEY, email text NOT NULL, tenant int NOT NULL);
CREATE UNIQUE INDEX account_email ON account (email);
ALTER TABLE account REPLICA IDENTITY USING INDEX account_email;
