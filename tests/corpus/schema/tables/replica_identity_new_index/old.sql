CREATE TABLE account (id int PRIMARY KEY, email text NOT NULL);
ALTER TABLE account REPLICA IDENTITY USING INDEX account_pkey;
