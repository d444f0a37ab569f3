-- Stand-in for pgsql-http (extension http; on Supabase's image, Debian 12 ships no package),
-- in the schema the migration names: its types and the http_* functions. Nothing is ever
-- sent; every call answers null: never judged.
create domain http_method as text;
create domain content_type as text check (value ~ '^\S+\/\S+');
create type http_header as (field varchar, value varchar);
create type http_request as (method http_method, uri varchar, headers http_header[],
  content_type varchar, content varchar);
create type http_response as (status integer, content_type varchar, headers http_header[],
  content varchar);
create function http_header(field varchar, value varchar) returns http_header
  language sql immutable as $$ select row(field, value)::http_header $$;
create function http(request http_request) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function http_get(uri varchar) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function http_get(uri varchar, data jsonb) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function http_post(uri varchar, content varchar, content_type varchar)
  returns http_response language sql volatile as $$ select null::http_response $$;
create function http_post(uri varchar, data jsonb) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function http_put(uri varchar, content varchar, content_type varchar)
  returns http_response language sql volatile as $$ select null::http_response $$;
create function http_patch(uri varchar, content varchar, content_type varchar)
  returns http_response language sql volatile as $$ select null::http_response $$;
create function http_delete(uri varchar) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function http_head(uri varchar) returns http_response
  language sql volatile as $$ select null::http_response $$;
create function urlencode(string varchar) returns text
  language sql immutable as $$ select string $$;
create function urlencode(data jsonb) returns text
  language sql immutable as $$ select data::text $$;
