-- pgTAP tests run by `database test`; everything is rolled back.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(7);
SELECT has_table('public', 'customer', 'customer exists');
SELECT has_table('public', 'invoice', 'invoice exists');
SELECT has_column('public', 'invoice', 'note', 'invoice has a note');
SELECT is((SELECT count(*)::int FROM public.currency), 3, 'three currencies');
SELECT throws_like($$INSERT INTO public.currency (code, name) VALUES ('GBP', 'Pound')$$,
                   '%', 'currency is immutable outside migration mode');
INSERT INTO public.customer (email, name) VALUES ('t@example.com', 'T');
INSERT INTO public.invoice (customer_id, currency_code, amount)
SELECT id, 'EUR', 10 FROM public.customer WHERE email = 't@example.com';
SELECT is(public.customer_total((SELECT id FROM public.customer WHERE email = 't@example.com'), 'EUR'),
          10.00, 'customer_total sums invoices');
SELECT ok((SELECT count(*) FROM public.invoice_event e JOIN public.invoice i ON i.id = e.invoice_id
           JOIN public.customer c ON c.id = i.customer_id WHERE c.email = 't@example.com') = 1,
          'the trigger records invoice events');
SELECT * FROM finish();
ROLLBACK;
