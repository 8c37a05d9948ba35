CREATE TABLE g (a int, b int);
