-- Role names that need quoting, in grants, column grants, policies and default privileges.
DO $$ BEGIN CREATE ROLE "Report Reader" NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE TABLE docs (id int PRIMARY KEY, body text);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON docs TO "Report Reader" WITH GRANT OPTION; GRANT UPDATE (body) ON docs TO "Report Reader";
CREATE POLICY readers ON docs FOR SELECT TO "Report Reader", corpus_reader USING (id > 0);
ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO "Report Reader";
ALTER DEFAULT PRIVILEGES FOR ROLE "Report Reader" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
