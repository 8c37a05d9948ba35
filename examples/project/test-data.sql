-- Test data loaded by `database patch` (and `database deploy`). `database pull_staging`
-- replaces this file with real rows from staging.
INSERT INTO public.customer (email, name) VALUES
    ('ada@example.com', 'Ada'),
    ('grace@example.com', 'Grace');
INSERT INTO public.invoice (customer_id, currency_code, amount, note)
SELECT id, 'EUR', 120.50, 'first order' FROM public.customer WHERE email = 'ada@example.com';
INSERT INTO public.invoice (customer_id, currency_code, amount)
SELECT id, 'USD', 99.99 FROM public.customer WHERE email = 'grace@example.com';
