CREATE TABLE "tëst" ("naïve" int);
