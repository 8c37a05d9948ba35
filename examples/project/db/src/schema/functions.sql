CREATE FUNCTION public.customer_total(p_customer bigint, p_currency text)
RETURNS numeric
LANGUAGE sql STABLE
AS $$
    SELECT COALESCE(sum(amount), 0)
    FROM public.invoice
    WHERE customer_id = p_customer AND currency_code = p_currency
$$;

CREATE FUNCTION public.record_invoice_event()
RETURNS trigger
LANGUAGE plpgsql
AS $body$
BEGIN
    INSERT INTO public.invoice_event (invoice_id, action) VALUES (NEW.id, lower(TG_OP));
    RETURN NEW;
END
$body$;
