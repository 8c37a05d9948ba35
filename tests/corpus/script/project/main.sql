-- A multi-file project: nested \ir, \if :{?USE_MOCK}, \set.
\set schema_name proj
\ir schema/tables.sql
\if :{?USE_MOCK}
  \echo loading mock data
  \ir mock/data.sql
\else
  \echo no mock data
\endif
\ir schema/views/all.sql
SELECT count(*) FROM :"schema_name".item;
