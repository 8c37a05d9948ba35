CREATE TABLE docs (id int PRIMARY KEY, team text);
CREATE FUNCTION my_team() RETURNS varchar LANGUAGE sql STABLE AS 'SELECT current_user::varchar';
ALTER TABLE docs ENABLE ROW LEVEL SECURITY; ALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE POLICY team_docs ON docs TO corpus_reader USING (team = my_team());
