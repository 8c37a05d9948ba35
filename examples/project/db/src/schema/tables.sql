-- Every table inherits hectic.created_at (the bundle's event trigger insists); tables that
-- change inherit hectic.updated_at too (a BEFORE UPDATE trigger is attached automatically).
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
    paid boolean NOT NULL DEFAULT false,
    note text
) INHERITS (hectic.created_at, hectic.updated_at);

CREATE INDEX invoice_customer_idx ON public.invoice (customer_id);

CREATE TABLE public.invoice_event (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL REFERENCES public.invoice (id),
    action text NOT NULL
) INHERITS (hectic.created_at);
