INSERT INTO public.customer (email, name) VALUES
    ('mock-1@example.com', 'Mock One'),
    ('mock-2@example.com', 'Mock Two');
