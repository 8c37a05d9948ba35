-- hectic bundle, part 3/4: migration bookkeeping.
--
-- hectic.migration: one row per applied migration (name = its directory name, hash = sha256
-- of its resolved up file). Same shapes, domains and trigger names as the shell migrator's,
-- so databases it migrated keep their history. hectic.migration_run is the run log added by
-- this suite: created in place on databases at bundle 0.1.0 (schema hectic is exempt from
-- the inheritance rules). Idempotent.

DO $hectic_domains$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'hectic' AND t.typname = 'migration_name') THEN
        CREATE DOMAIN hectic.migration_name AS text CHECK (VALUE ~ '^[0-9]{14}-.*');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_type AS t JOIN pg_namespace AS n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'hectic' AND t.typname = 'sha256') THEN
        CREATE DOMAIN hectic.sha256 AS char(64) CHECK (VALUE ~ '^[0-9a-f]{64}$');
    END IF;
END
$hectic_domains$;

-- Stores hashes in lower case whatever the caller sent.
CREATE OR REPLACE FUNCTION hectic.sha256_lower() RETURNS trigger
LANGUAGE plpgsql AS $lower$
BEGIN
    NEW.hash := lower(NEW.hash);
    RETURN NEW;
END
$lower$;

CREATE TABLE IF NOT EXISTS hectic.migration (
    id          serial                 PRIMARY KEY,
    name        hectic.migration_name  UNIQUE NOT NULL,
    hash        hectic.sha256          UNIQUE NOT NULL,
    applied_at  timestamptz            NOT NULL DEFAULT now()
);

DO $hectic_migration_trigger$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger
                   WHERE tgrelid = 'hectic.migration'::regclass
                     AND tgname = 'hectic_t_sha256_lower' AND NOT tgisinternal) THEN
        CREATE TRIGGER hectic_t_sha256_lower
            BEFORE INSERT OR UPDATE ON hectic.migration
            FOR EACH ROW EXECUTE FUNCTION hectic.sha256_lower();
    END IF;
END
$hectic_migration_trigger$;

-- The run log: one row per `migrator migrate` / `migrator apply` run.
CREATE TABLE IF NOT EXISTS hectic.migration_run (
    id           bigserial    PRIMARY KEY,
    build_id     text         NOT NULL,
    command      text         NOT NULL,
    status       text         NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'success', 'failed', 'interrupted', 'aborted')),
    started_at   timestamptz  NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz,
    migrations   text[]       NOT NULL DEFAULT '{}',
    error        text,
    run_by       text         NOT NULL DEFAULT session_user
);
