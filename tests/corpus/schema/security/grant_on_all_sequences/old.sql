CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
CREATE TABLE lines (id serial PRIMARY KEY, order_id int);
