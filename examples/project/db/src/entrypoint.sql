-- Hydrate entrypoint of the example project: `database deploy` runs it on a fresh database
-- after the hectic bundle. Split over several files with \ir (paths relative to this file).
\set ON_ERROR_STOP 1
\echo hydrating the example project
\ir schema/tables.sql
\ir schema/functions.sql
\ir schema/triggers.sql
\ir data/reference.sql
\if :{?USE_MOCK}
\echo USE_MOCK is set: loading mock customers
\ir data/mock.sql
\endif
