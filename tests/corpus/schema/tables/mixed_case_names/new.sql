CREATE TABLE "Users" ("Id" integer PRIMARY KEY, "Full Name" text);
