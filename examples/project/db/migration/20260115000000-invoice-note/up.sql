-- 20260115000000-invoice-note
ALTER TABLE public.invoice ADD COLUMN note text;
