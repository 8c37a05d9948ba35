CREATE TABLE r (during tstzrange, EXCLUDE USING gist (during WITH &&));
