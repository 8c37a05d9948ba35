CREATE TYPE timespan AS RANGE (subtype = timestamptz);
CREATE TABLE bookings (id int PRIMARY KEY, slot timespan, slots timespan_multirange, history timespan[]);
INSERT INTO bookings VALUES (1, '[2026-01-01,2026-01-02)', '{[2026-01-01,2026-01-02)}', '{"[2026-01-01,2026-01-02)"}');
