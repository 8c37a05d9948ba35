select 1; \echo a :a
