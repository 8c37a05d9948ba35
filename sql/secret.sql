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
