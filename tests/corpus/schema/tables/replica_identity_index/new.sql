CREATE TABLE account (id int PRIMARY KEY, email text NOT NULL, tenant int NOT NULL);
CREATE UNIQUE INDEX account_email ON account (email);
ALTER TABLE account REPLICA IDENTITY USING INDEX account_email;
CREATE TABLE member (tenant int NOT NULL, login text NOT NULL, CONSTRAINT member_key UNIQUE (tenant, login));
ALTER TABLE member REPLICA IDENTITY USING INDEX member_key;
