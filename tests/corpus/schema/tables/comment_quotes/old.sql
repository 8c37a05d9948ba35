CREATE TABLE "Order Items" ("User" int, "select" text);
