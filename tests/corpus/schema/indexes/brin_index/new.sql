CREATE TABLE l (at timestamptz); CREATE INDEX l_at ON l USING brin (at);
