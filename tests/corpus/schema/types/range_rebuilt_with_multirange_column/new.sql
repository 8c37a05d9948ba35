-- The range gains a subtype_diff: it is rebuilt, and so are the columns of its multirange.
CREATE FUNCTION timespan_diff(a timestamptz, b timestamptz) RETURNS float8 LANGUAGE sql IMMUTABLE
  AS 'SELECT extract(epoch FROM a - b)';
CREATE TYPE timespan AS RANGE (subtype = timestamptz, subtype_diff = timespan_diff);
CREATE TABLE bookings (id int PRIMARY KEY, slot timespan, slots timespan_multirange, history timespan[]);
INSERT INTO bookings VALUES (1, '[2026-01-01,2026-01-02)', '{[2026-01-01,2026-01-02)}', '{"[2026-01-01,2026-01-02)"}');
