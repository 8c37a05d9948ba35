-- public.currency inherits hectic.immutable: writes need migration mode, set locally in the
-- same transaction.
BEGIN;
SET LOCAL hectic.migration_mode = 'on';
INSERT INTO public.currency (code, name) VALUES
    ('EUR', 'Euro'),
    ('JPY', 'Yen'),
    ('USD', 'US dollar');
COMMIT;
