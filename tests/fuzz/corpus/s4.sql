create function f() begin atomic select 1; end; select :"a"::text, :{?b};
\if :b
\endif
