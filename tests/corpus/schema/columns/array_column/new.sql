CREATE TABLE t (tags text[] DEFAULT '{}');
