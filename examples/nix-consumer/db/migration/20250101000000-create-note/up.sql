-- migration 20250101000000-create-note
CREATE TABLE public.note (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body text NOT NULL
) INHERITS (hectic.created_at);
