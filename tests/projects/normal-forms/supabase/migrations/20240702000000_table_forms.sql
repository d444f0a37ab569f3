-- LIKE copies the shape; INHERITS and PARTITION OF build on a parent.
create table public.addresses_archive (
  like public.addresses including defaults including constraints,
  archived_at timestamptz not null default now()
);

create table public.events (
  id bigint not null,
  kind text not null,
  at timestamptz not null default now()
);
create table public.click_events (
  target text not null
) inherits (public.events);

create table public.readings (
  sensor_id integer not null,
  taken_on date not null,
  value double precision,
  primary key (sensor_id, taken_on)
) partition by range (taken_on);
create table public.readings_2024 partition of public.readings
  for values from ('2024-01-01') to ('2025-01-01');
create table public.readings_default partition of public.readings default;

alter table public.measures enable row level security;
alter table public.readings enable row level security;
