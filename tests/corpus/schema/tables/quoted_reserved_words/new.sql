CREATE TABLE "order" ("select" int, "from" text, "User Name" text);
