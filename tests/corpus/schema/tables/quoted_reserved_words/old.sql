CREATE TABLE "order" ("select" int);
