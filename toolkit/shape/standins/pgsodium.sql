-- Stand-in for pgsodium (exists only on Supabase's image): schema pgsodium with its key table
-- and the functions migrations call (create_key, randombytes_buf, crypto_aead_det_*,
-- crypto_secretbox_*). Nothing is encrypted: what they return is never judged.
create schema pgsodium;
create table pgsodium.key (
  id uuid primary key default gen_random_uuid(),
  status text default 'valid',
  created timestamptz not null default now(),
  expires timestamptz,
  key_type text,
  key_id bigint,
  key_context bytea default '\x7067736f6469756d'::bytea,
  name text unique,
  associated_data text default 'associated',
  raw_key bytea,
  raw_key_nonce bytea,
  parent_key uuid,
  comment text,
  user_data text
);
create view pgsodium.valid_key as
  select id, name, status, key_type, key_id, key_context, created, expires, associated_data
  from pgsodium.key where status = 'valid';
create function pgsodium.create_key(key_type text default 'aead-det', name text default null,
    raw_key bytea default null, raw_key_nonce bytea default null,
    parent_key uuid default null, key_context bytea default '\x7067736f6469756d'::bytea,
    expires timestamptz default null, associated_data text default '')
  returns pgsodium.valid_key language sql volatile security definer set search_path = ''
  as $$
    insert into pgsodium.key (key_type, name, raw_key, raw_key_nonce, parent_key, key_context,
                              expires, associated_data)
    values (key_type, name, raw_key, raw_key_nonce, parent_key, key_context, expires,
            associated_data)
    returning id, name, status, key_type, key_id, key_context, created, expires,
              associated_data
  $$;
create function pgsodium.randombytes_buf(size integer) returns bytea
  language sql volatile as $$ select decode(repeat('00', size), 'hex') $$;
create function pgsodium.crypto_aead_det_encrypt(message bytea, additional bytea,
    key_uuid uuid, nonce bytea default null)
  returns bytea language sql immutable as $$ select message $$;
create function pgsodium.crypto_aead_det_decrypt(message bytea, additional bytea,
    key_uuid uuid, nonce bytea default null)
  returns bytea language sql immutable as $$ select message $$;
create function pgsodium.crypto_secretbox_keygen() returns bytea
  language sql volatile as $$ select decode(repeat('00', 32), 'hex') $$;
create function pgsodium.crypto_secretbox_noncegen() returns bytea
  language sql volatile as $$ select decode(repeat('00', 24), 'hex') $$;
create function pgsodium.crypto_secretbox(message bytea, nonce bytea, key bytea)
  returns bytea language sql immutable as $$ select message $$;
create function pgsodium.crypto_secretbox_open(ciphertext bytea, nonce bytea, key bytea)
  returns bytea language sql immutable as $$ select ciphertext $$;
grant usage on schema pgsodium to postgres, service_role;
grant select on all tables in schema pgsodium to postgres, service_role;
grant execute on all functions in schema pgsodium to postgres, service_role;
