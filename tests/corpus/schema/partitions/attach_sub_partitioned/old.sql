CREATE TABLE m (id int, at date, region text) PARTITION BY RANGE (at);
CREATE TABLE m_2026 (id int, at date, region text) PARTITION BY LIST (region);
CREATE TABLE m_2026_eu PARTITION OF m_2026 FOR VALUES IN ('eu');
