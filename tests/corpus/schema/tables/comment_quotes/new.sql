CREATE TABLE "Order Items" ("User" int, "select" text, "Weird ""Name""" int);
COMMENT ON TABLE "Order Items" IS 'it''s the customer''s list; 100% $$dollar$$';
COMMENT ON COLUMN "Order Items"."select" IS E'line one\nline two';
