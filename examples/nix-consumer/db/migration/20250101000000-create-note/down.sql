-- migration 20250101000000-create-note
DROP TABLE public.note;
