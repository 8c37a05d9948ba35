CREATE TABLE m (id int, at date, v text) PARTITION BY RANGE (at);
CREATE INDEX m_id ON m (id);
CREATE TABLE m_2026 (id int, at date, v text);
CREATE INDEX m_2026_v ON m_2026 (v);
INSERT INTO m_2026 VALUES (1, '2026-03-01', 'kept');
