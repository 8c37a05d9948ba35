-- The first production schema (same objects as db/src, before invoice.note existed).
CREATE TABLE public.currency (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    name text NOT NULL
) INHERITS (hectic.created_at, hectic.immutable);

CREATE TABLE public.customer (
    id bigserial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL
) INHERITS (hectic.created_at, hectic.updated_at);

CREATE TABLE public.invoice (
    id bigserial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES public.customer (id),
    currency_code text NOT NULL REFERENCES public.currency (code),
    amount numeric(12, 2) NOT NULL CHECK (amount >= 0),
    paid boolean NOT NULL DEFAULT false
) INHERITS (hectic.created_at, hectic.updated_at);

CREATE INDEX invoice_customer_idx ON public.invoice (customer_id);

CREATE TABLE public.invoice_event (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES public.invoice (id),
    action text NOT NULL
) INHERITS (hectic.created_at);

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

CREATE TRIGGER invoice_event AFTER INSERT OR UPDATE ON public.invoice
    FOR EACH ROW EXECUTE FUNCTION public.record_invoice_event();

-- The migration runs in one transaction: SET LOCAL opens the immutable table for it only.
SET LOCAL hectic.migration_mode = 'on';
INSERT INTO public.currency (code, name) VALUES
    ('EUR', 'Euro'),
    ('JPY', 'Yen'),
    ('USD', 'US dollar');
