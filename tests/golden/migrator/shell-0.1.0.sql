-- A database as the shell tools (db-tool / migrator, hectic bundle 0.1.0) leave it: the
-- bundle's objects with the shapes, names and function signatures the shell bundle created,
-- then the two migrations of shell-0.1.0/migration/ applied the shell way (the file, then a
-- hectic.migration row with the sha256 of up.sql). Written for this suite's compatibility
-- tests: `psql -v ON_ERROR_STOP=1 -f shell-0.1.0.sql` on an empty database.

CREATE SCHEMA hectic;

CREATE TABLE hectic.version (
    name          TEXT         PRIMARY KEY,
    version       TEXT         NOT NULL,
    installed_at  TIMESTAMPTZ  NOT NULL DEFAULT NOW()
);
INSERT INTO hectic.version (name, version) VALUES ('hectic', '0.1.0');

CREATE TABLE hectic.secret (
    id     SERIAL PRIMARY KEY,
    key    TEXT   UNIQUE NOT NULL,
    value  TEXT   NOT NULL
);
CREATE FUNCTION hectic.load_secrets_from_env(env_content TEXT) RETURNS void
LANGUAGE plpgsql AS $f$
DECLARE
    line TEXT;
BEGIN
    TRUNCATE TABLE hectic.secret;
    FOR line IN SELECT btrim(l) FROM regexp_split_to_table(env_content, E'\n') AS l LOOP
        CONTINUE WHEN line = '' OR line LIKE '#%';
        INSERT INTO hectic.secret (key, value)
        VALUES (btrim(split_part(line, '=', 1)), btrim(substring(line FROM position('=' IN line) + 1)));
    END LOOP;
END
$f$;
CREATE FUNCTION hectic.get_secret(k TEXT) RETURNS TEXT
LANGUAGE plpgsql AS $f$
BEGIN
    RETURN (SELECT value FROM hectic.secret WHERE key = k);
END
$f$;

CREATE DOMAIN hectic.migration_name AS TEXT CHECK (VALUE ~ '^[0-9]{14}-.*');
CREATE DOMAIN hectic.sha256 AS CHAR(64) CHECK (VALUE ~ '^[0-9a-f]{64}$');
CREATE FUNCTION hectic.sha256_lower() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    NEW.hash := lower(NEW.hash);
    RETURN NEW;
END
$f$;
CREATE TABLE hectic.migration (
    id          SERIAL                 PRIMARY KEY,
    name        hectic.migration_name  UNIQUE NOT NULL,
    hash        hectic.sha256          UNIQUE NOT NULL,
    applied_at  TIMESTAMPTZ            NOT NULL DEFAULT NOW()
);
CREATE TRIGGER hectic_t_sha256_lower BEFORE INSERT OR UPDATE ON hectic.migration
    FOR EACH ROW EXECUTE FUNCTION hectic.sha256_lower();

CREATE TABLE hectic.created_at (created_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
CREATE TABLE hectic.updated_at (updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW());
CREATE TABLE hectic.immutable ();

CREATE FUNCTION hectic.set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    NEW.updated_at := NOW();
    RETURN NEW;
END
$f$;
CREATE FUNCTION hectic.block_immutable_dml() RETURNS trigger
LANGUAGE plpgsql AS $f$
BEGIN
    IF current_setting('hectic.migration_mode', true) = 'on' THEN
        IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'hectic: table %.% inherits hectic.immutable; % blocked outside migration_mode',
        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP;
END
$f$;
CREATE FUNCTION hectic._is_excluded_schema(p_schema text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $f$
BEGIN
    RETURN p_schema IN ('hectic', 'information_schema') OR p_schema LIKE 'pg\_%'
        OR p_schema = ANY (SELECT btrim(s) FROM unnest(string_to_array(
               coalesce(current_setting('hectic.inheritance_extra_excluded_schemas', true), ''), ',')) AS s);
END
$f$;
CREATE FUNCTION hectic._table_inherits(p_oid oid, p_parent regclass) RETURNS boolean
LANGUAGE sql STABLE AS $f$
    SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = p_oid AND inhparent = p_parent);
$f$;
CREATE FUNCTION hectic.enforce_created_at_inheritance() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT c.oid, c.relname, n.nspname, c.relpersistence, c.relispartition
               FROM pg_event_trigger_ddl_commands() d JOIN pg_class c ON c.oid = d.objid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE d.command_tag = 'CREATE TABLE' LOOP
        CONTINUE WHEN obj.relpersistence = 't' OR obj.relispartition
                   OR hectic._is_excluded_schema(obj.nspname);
        IF NOT hectic._table_inherits(obj.oid, 'hectic.created_at'::regclass) THEN
            RAISE EXCEPTION 'hectic: table %.% must INHERITS (hectic.created_at)', obj.nspname, obj.relname;
        END IF;
    END LOOP;
END
$f$;
CREATE FUNCTION hectic.attach_updated_at_trigger() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT c.oid, c.relname, n.nspname
               FROM pg_event_trigger_ddl_commands() d JOIN pg_class c ON c.oid = d.objid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE d.command_tag = 'CREATE TABLE' AND n.nspname <> 'hectic'
                 AND c.relpersistence <> 't' AND NOT c.relispartition LOOP
        CONTINUE WHEN NOT hectic._table_inherits(obj.oid, 'hectic.updated_at'::regclass);
        EXECUTE format('CREATE TRIGGER hectic_set_updated_at BEFORE UPDATE ON %I.%I '
                       'FOR EACH ROW EXECUTE FUNCTION hectic.set_updated_at()', obj.nspname, obj.relname);
    END LOOP;
END
$f$;
CREATE FUNCTION hectic.attach_immutable_triggers() RETURNS event_trigger
LANGUAGE plpgsql AS $f$
DECLARE
    obj record;
BEGIN
    FOR obj IN SELECT c.oid, c.relname, n.nspname
               FROM pg_event_trigger_ddl_commands() d JOIN pg_class c ON c.oid = d.objid
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE d.command_tag = 'CREATE TABLE' AND n.nspname <> 'hectic'
                 AND c.relpersistence <> 't' AND NOT c.relispartition LOOP
        CONTINUE WHEN NOT hectic._table_inherits(obj.oid, 'hectic.immutable'::regclass);
        EXECUTE format('CREATE TRIGGER hectic_block_immutable_dml BEFORE INSERT OR UPDATE OR DELETE '
                       'ON %I.%I FOR EACH ROW EXECUTE FUNCTION hectic.block_immutable_dml()',
                       obj.nspname, obj.relname);
        EXECUTE format('CREATE TRIGGER hectic_block_immutable_truncate BEFORE INSERT OR UPDATE OR '
                       'DELETE OR TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION '
                       'hectic.block_immutable_dml()', obj.nspname, obj.relname);
    END LOOP;
END
$f$;
CREATE EVENT TRIGGER hectic_enforce_created_at_inheritance ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION hectic.enforce_created_at_inheritance();
CREATE EVENT TRIGGER hectic_attach_updated_at_trigger ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION hectic.attach_updated_at_trigger();
CREATE EVENT TRIGGER hectic_attach_immutable_triggers ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION hectic.attach_immutable_triggers();

-- The shell migrator: BEGIN; \i up.sql; INSERT INTO hectic.migration ...; COMMIT;
BEGIN;
CREATE TABLE public.accounts (
    id serial PRIMARY KEY,
    login text NOT NULL UNIQUE
) INHERITS (hectic.created_at, hectic.updated_at);
INSERT INTO hectic.migration (name, hash)
VALUES ('20250101000000-create-accounts', '4f3809e3499a313b8cfd6a87361e4a8394640ef276de2bb3d1ee074900e50374');
COMMIT;
BEGIN;
ALTER TABLE public.accounts ADD COLUMN email text;
INSERT INTO hectic.migration (name, hash)
VALUES ('20250102000000-add-email', '2f5abe667accefe30b9783c1ac0c29f00fa5be7ff2a1086f1c74052a8a6d63d6');
COMMIT;
INSERT INTO public.accounts (login, email) VALUES ('alice', 'alice@example.org');
