-- A role of the project's own: the reporting job reads billing and a few invoice columns. Roles
-- are the cluster's, so it is made only where it is missing.
do $$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'reporting') then
    create role reporting nologin;
  end if;
end
$$;
grant usage on schema billing to reporting;
grant select on billing.ledger to reporting;
grant select (id, amount, status) on public.invoices to reporting;
grant usage on sequence public.invoice_number to reporting;
grant execute on function public.is_pro(uuid) to reporting;
