-- hectic bundle 0.1.0

-- ==== part: version ====
-- hectic bundle, part 1/4: version.
--
-- One row (name = 'hectic') records the bundle version a database was initialised with.
-- A database holding another version stops here: the rest of the bundle must not run over
-- objects of a different shape. Same table shape as the shell tools' bundle 0.1.0, so
-- databases they initialised are accepted as they are. Idempotent.

CREATE SCHEMA IF NOT EXISTS hectic;

CREATE TABLE IF NOT EXISTS hectic.version (
    name          text        PRIMARY KEY,
    version       text        NOT NULL,
    installed_at  timestamptz NOT NULL DEFAULT now()
);

DO $hectic_version$
DECLARE
    recorded text;
BEGIN
    SELECT v.version INTO recorded FROM hectic.version AS v WHERE v.name = 'hectic';
    IF NOT FOUND THEN
        INSERT INTO hectic.version (name, version) VALUES ('hectic', '0.1.0');
    ELSIF recorded IS DISTINCT FROM '0.1.0' THEN
        RAISE EXCEPTION 'hectic bundle version mismatch: database has %, bundle is %',
            recorded, '0.1.0'
            USING HINT = 'upgrade the database deliberately before applying this bundle';
    END IF;
END
$hectic_version$;

-- ==== part: secret ====
-- hectic bundle, part 2/4: secrets.
--
-- hectic.secret holds KEY=VALUE pairs loaded from a dotenv text; get_secret() reads one.
-- Parameter names (env_content, k) are those of the shell tools' bundle: CREATE OR REPLACE
-- cannot rename parameters, so they must stay. Idempotent.

CREATE TABLE IF NOT EXISTS hectic.secret (
    id     serial PRIMARY KEY,
    key    text   UNIQUE NOT NULL,
    value  text   NOT NULL
);

-- Replaces the whole table with the pairs of a dotenv text: each line trimmed, blank lines
-- and '#' comments skipped, split at the first '=', one pair of matching outer quotes
-- stripped from the value. Lines without '=' or with an empty key are not pairs and are
-- skipped; a repeated key keeps its last value.
CREATE OR REPLACE FUNCTION hectic.load_secrets_from_env(env_content text)
RETURNS void
LANGUAGE plpgsql AS $load$
DECLARE
    raw_line  text;
    entry     text;
    eq        integer;
    k         text;
    v         text;
BEGIN
    TRUNCATE TABLE hectic.secret;
    IF env_content IS NULL THEN
        RETURN;
    END IF;
    FOREACH raw_line IN ARRAY string_to_array(env_content, E'\n') LOOP
        entry := btrim(raw_line, E' \t\r');
        CONTINUE WHEN entry = '' OR left(entry, 1) = '#';
        eq := strpos(entry, '=');
        CONTINUE WHEN eq = 0;
        k := btrim(left(entry, eq - 1), E' \t');
        CONTINUE WHEN k = '';
        v := btrim(substr(entry, eq + 1), E' \t');
        IF length(v) >= 2
           AND left(v, 1) IN ('"', '''')
           AND right(v, 1) = left(v, 1) THEN
            v := substr(v, 2, length(v) - 2);
        END IF;
        INSERT INTO hectic.secret (key, value) VALUES (k, v)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
    END LOOP;
END
$load$;

-- The value stored under a key, NULL when there is none.
CREATE OR REPLACE FUNCTION hectic.get_secret(k text)
RETURNS text
LANGUAGE plpgsql STABLE AS $get$
BEGIN
    RETURN (SELECT s.value FROM hectic.secret AS s WHERE s.key = k);
END
$get$;

-- ==== part: migration ====
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

-- ==== part: inheritance ====
-- hectic bundle, part 4/4: inheritance rules.
--
-- Parent tables every user table builds on:
--   hectic.created_at  every new table must INHERITS (hectic.created_at)
--   hectic.updated_at  tables inheriting it get a BEFORE UPDATE trigger keeping updated_at
--   hectic.immutable   tables inheriting it refuse INSERT/UPDATE/DELETE/TRUNCATE unless the
--                      transaction did SET LOCAL hectic.migration_mode = 'on'
-- Exempt from the rules: schemas hectic, information_schema, pg_*, the comma-separated
-- schemas of the GUC hectic.inheritance_extra_excluded_schemas, partitions, temporary tables.
--
-- Function names and signatures, trigger and event-trigger names are those of the shell
-- tools' bundle 0.1.0 (CREATE OR REPLACE cannot rename parameters or change return types;
-- `database diff` compares the objects by name). Idempotent.

CREATE SCHEMA IF NOT EXISTS hectic;

CREATE TABLE IF NOT EXISTS hectic.created_at (
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS hectic.updated_at (
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS hectic.immutable ();

-- BEFORE UPDATE row trigger of tables inheriting hectic.updated_at.
CREATE OR REPLACE FUNCTION hectic.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $set_updated_at$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$set_updated_at$;

-- Row and statement trigger of tables inheriting hectic.immutable: lets the change through
-- only in migration mode (SET LOCAL, so the permission ends with the transaction).
CREATE OR REPLACE FUNCTION hectic.block_immutable_dml() RETURNS trigger
LANGUAGE plpgsql AS $block_immutable_dml$
BEGIN
    IF coalesce(current_setting('hectic.migration_mode', true), '') = 'on' THEN
        IF TG_LEVEL = 'STATEMENT' THEN
            RETURN NULL;
        ELSIF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'hectic: % on %.% refused: the table inherits hectic.immutable',
        TG_OP, quote_ident(TG_TABLE_SCHEMA), quote_ident(TG_TABLE_NAME)
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'change it inside a migration transaction after '
                     'SET LOCAL hectic.migration_mode = ''on''';
END
$block_immutable_dml$;

-- True for schemas the rules never apply to.
CREATE OR REPLACE FUNCTION hectic._is_excluded_schema(p_schema text) RETURNS boolean
LANGUAGE sql STABLE AS $is_excluded_schema$
    SELECT p_schema IN ('hectic', 'information_schema')
        OR p_schema LIKE 'pg\_%'
        OR p_schema = ANY (
               SELECT btrim(s)
               FROM unnest(string_to_array(
                        coalesce(current_setting('hectic.inheritance_extra_excluded_schemas', true), ''),
                        ',')) AS s)
$is_excluded_schema$;

-- True when the relation p_oid directly inherits p_parent.
CREATE OR REPLACE FUNCTION hectic._table_inherits(p_oid oid, p_parent regclass) RETURNS boolean
LANGUAGE sql STABLE AS $table_inherits$
    SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = p_oid AND inhparent = p_parent)
$table_inherits$;

-- ddl_command_end on CREATE TABLE: refuse a new table that does not inherit hectic.created_at.
CREATE OR REPLACE FUNCTION hectic.enforce_created_at_inheritance() RETURNS event_trigger
LANGUAGE plpgsql AS $enforce_created_at$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT c.oid, c.relname, n.nspname
        FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_class AS c ON c.oid = d.objid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE d.command_tag = 'CREATE TABLE' AND d.object_type = 'table'
          AND c.relpersistence <> 't' AND NOT c.relispartition
    LOOP
        CONTINUE WHEN hectic._is_excluded_schema(created.nspname);
        IF NOT hectic._table_inherits(created.oid, 'hectic.created_at'::regclass) THEN
            RAISE EXCEPTION 'hectic: table %.% must INHERITS (hectic.created_at)',
                quote_ident(created.nspname), quote_ident(created.relname)
                USING HINT = 'add INHERITS (hectic.created_at) to the CREATE TABLE, or list the '
                             'schema in hectic.inheritance_extra_excluded_schemas';
        END IF;
    END LOOP;
END
$enforce_created_at$;

-- ddl_command_end on CREATE TABLE: a new table inheriting hectic.updated_at gets the
-- hectic_set_updated_at BEFORE UPDATE row trigger.
CREATE OR REPLACE FUNCTION hectic.attach_updated_at_trigger() RETURNS event_trigger
LANGUAGE plpgsql AS $attach_updated_at$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT c.oid, c.relname, n.nspname
        FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_class AS c ON c.oid = d.objid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE d.command_tag = 'CREATE TABLE' AND d.object_type = 'table'
          AND c.relpersistence <> 't' AND NOT c.relispartition AND n.nspname <> 'hectic'
    LOOP
        CONTINUE WHEN NOT hectic._table_inherits(created.oid, 'hectic.updated_at'::regclass);
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_trigger
                              WHERE tgrelid = created.oid AND tgname = 'hectic_set_updated_at'
                                AND NOT tgisinternal);
        EXECUTE format('CREATE TRIGGER hectic_set_updated_at BEFORE UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION hectic.set_updated_at()',
                       created.nspname, created.relname);
    END LOOP;
END
$attach_updated_at$;

-- ddl_command_end on CREATE TABLE: a new table inheriting hectic.immutable gets the
-- hectic_block_immutable_dml row trigger and the hectic_block_immutable_truncate statement
-- trigger.
CREATE OR REPLACE FUNCTION hectic.attach_immutable_triggers() RETURNS event_trigger
LANGUAGE plpgsql AS $attach_immutable$
DECLARE
    created record;
BEGIN
    FOR created IN
        SELECT c.oid, c.relname, n.nspname
        FROM pg_event_trigger_ddl_commands() AS d
        JOIN pg_class AS c ON c.oid = d.objid
        JOIN pg_namespace AS n ON n.oid = c.relnamespace
        WHERE d.command_tag = 'CREATE TABLE' AND d.object_type = 'table'
          AND c.relpersistence <> 't' AND NOT c.relispartition AND n.nspname <> 'hectic'
    LOOP
        CONTINUE WHEN NOT hectic._table_inherits(created.oid, 'hectic.immutable'::regclass);
        IF NOT EXISTS (SELECT 1 FROM pg_trigger
                       WHERE tgrelid = created.oid AND tgname = 'hectic_block_immutable_dml'
                         AND NOT tgisinternal) THEN
            EXECUTE format('CREATE TRIGGER hectic_block_immutable_dml '
                           'BEFORE INSERT OR UPDATE OR DELETE ON %I.%I '
                           'FOR EACH ROW EXECUTE FUNCTION hectic.block_immutable_dml()',
                           created.nspname, created.relname);
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_trigger
                       WHERE tgrelid = created.oid AND tgname = 'hectic_block_immutable_truncate'
                         AND NOT tgisinternal) THEN
            EXECUTE format('CREATE TRIGGER hectic_block_immutable_truncate '
                           'BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I.%I '
                           'FOR EACH STATEMENT EXECUTE FUNCTION hectic.block_immutable_dml()',
                           created.nspname, created.relname);
        END IF;
    END LOOP;
END
$attach_immutable$;

-- The event triggers themselves: created once, kept as they are afterwards (an administrator
-- may have disabled one on purpose).
DO $hectic_event_triggers$
DECLARE
    wanted record;
BEGIN
    FOR wanted IN
        SELECT * FROM (VALUES
            ('hectic_enforce_created_at_inheritance', 'hectic.enforce_created_at_inheritance'),
            ('hectic_attach_updated_at_trigger',      'hectic.attach_updated_at_trigger'),
            ('hectic_attach_immutable_triggers',      'hectic.attach_immutable_triggers')
        ) AS t(trigger_name, function_name)
    LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = wanted.trigger_name);
        EXECUTE format('CREATE EVENT TRIGGER %I ON ddl_command_end WHEN TAG IN (''CREATE TABLE'') '
                       'EXECUTE FUNCTION %s()', wanted.trigger_name, wanted.function_name);
    END LOOP;
END
$hectic_event_triggers$;
