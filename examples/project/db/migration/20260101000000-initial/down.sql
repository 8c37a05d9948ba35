DROP TRIGGER invoice_event ON public.invoice;
DROP FUNCTION public.record_invoice_event();
DROP FUNCTION public.customer_total(bigint, text);
DROP TABLE public.invoice_event;
DROP TABLE public.invoice;
DROP TABLE public.customer;
SET LOCAL hectic.migration_mode = 'on';
DROP TABLE public.currency;
