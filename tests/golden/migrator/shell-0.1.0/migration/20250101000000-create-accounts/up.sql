CREATE TABLE public.accounts (
    id serial PRIMARY KEY,
    login text NOT NULL UNIQUE
) INHERITS (hectic.created_at, hectic.updated_at);
