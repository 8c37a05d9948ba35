CREATE TRIGGER invoice_event AFTER INSERT OR UPDATE ON public.invoice
    FOR EACH ROW EXECUTE FUNCTION public.record_invoice_event();
