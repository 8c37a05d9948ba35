CREATE TABLE "tëst" ("naïve" bigint);
