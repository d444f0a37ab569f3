-- Stand-in for pgjwt (on Supabase's image; Debian 12 ships no package), in the schema the
-- migration names: sign, verify, url_encode, url_decode by pgjwt's signatures. Tokens are
-- placeholders: never judged.
create function url_encode(data bytea) returns text
  language sql immutable as $$ select translate(encode(data, 'base64'), E'+/=\n', '-_') $$;
create function url_decode(data text) returns bytea
  language sql immutable as $$ select decode(translate(data, '-_', '+/'), 'base64') $$;
create function algorithm_sign(signables text, secret text, algorithm text) returns text
  language sql immutable as $$ select ''::text $$;
create function sign(payload json, secret text, algorithm text default 'HS256') returns text
  language sql immutable as $$ select ''::text $$;
create function verify(token text, secret text, algorithm text default 'HS256')
  returns table(header json, payload json, valid boolean)
  language sql immutable as $$ select null::json, null::json, false $$;
