-- Hydrate entrypoint of the example project (run by `database hydrate` after the hectic bundle).
\echo hydrating the example schema
CREATE TABLE IF NOT EXISTS public.note (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body text NOT NULL
) INHERITS (hectic.created_at);
