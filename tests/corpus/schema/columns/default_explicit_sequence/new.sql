CREATE SEQUENCE ticket_no START 100;
CREATE TABLE t (id int DEFAULT nextval('ticket_no'));
