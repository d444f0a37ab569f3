-- Stand-in for pgvector (extension vector; Debian 12 ships no package), created in the schema
-- the migration names (the search_path is set to it): the call surface migrations use, so
-- `vector(1536)` columns, the distance operators and ivfflat/hnsw indexes replay. The types
-- keep their text; distances are placeholders (what they return is never judged). Built from
-- PostgreSQL's own internal functions: text I/O, varchar's typmod (so format_type says
-- vector(1536) as pgvector does), bytea comparisons, btree's handler for the index methods.
create type vector;
create function vector_in(cstring) returns vector
  language internal immutable strict parallel safe as 'textin';
create function vector_out(vector) returns cstring
  language internal immutable strict parallel safe as 'textout';
create function vector_typmod_in(cstring[]) returns integer
  language internal immutable strict parallel safe as 'varchartypmodin';
create function vector_typmod_out(integer) returns cstring
  language internal immutable strict parallel safe as 'varchartypmodout';
create type vector (input = vector_in, output = vector_out, typmod_in = vector_typmod_in,
  typmod_out = vector_typmod_out, internallength = variable, storage = extended);

create type halfvec;
create function halfvec_in(cstring) returns halfvec
  language internal immutable strict parallel safe as 'textin';
create function halfvec_out(halfvec) returns cstring
  language internal immutable strict parallel safe as 'textout';
create type halfvec (input = halfvec_in, output = halfvec_out, typmod_in = vector_typmod_in,
  typmod_out = vector_typmod_out, internallength = variable, storage = extended);

create type sparsevec;
create function sparsevec_in(cstring) returns sparsevec
  language internal immutable strict parallel safe as 'textin';
create function sparsevec_out(sparsevec) returns cstring
  language internal immutable strict parallel safe as 'textout';
create type sparsevec (input = sparsevec_in, output = sparsevec_out,
  typmod_in = vector_typmod_in, typmod_out = vector_typmod_out, internallength = variable,
  storage = extended);

-- Comparisons (pgvector has them too), collation-free as bytea's are.
create function vector_lt(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'bytealt';
create function vector_le(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'byteale';
create function vector_eq(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'byteaeq';
create function vector_ne(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'byteane';
create function vector_ge(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'byteage';
create function vector_gt(vector, vector) returns boolean
  language internal immutable strict parallel safe as 'byteagt';
create function vector_cmp(vector, vector) returns integer
  language internal immutable strict parallel safe as 'byteacmp';
create operator < (leftarg = vector, rightarg = vector, function = vector_lt);
create operator <= (leftarg = vector, rightarg = vector, function = vector_le);
create operator = (leftarg = vector, rightarg = vector, function = vector_eq);
create operator <> (leftarg = vector, rightarg = vector, function = vector_ne);
create operator >= (leftarg = vector, rightarg = vector, function = vector_ge);
create operator > (leftarg = vector, rightarg = vector, function = vector_gt);
create operator class vector_ops default for type vector using btree as
  operator 1 <, operator 2 <=, operator 3 =, operator 4 >=, operator 5 >,
  function 1 vector_cmp(vector, vector);

-- Distances and helpers by pgvector's names; placeholders.
create function l2_distance(vector, vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function inner_product(vector, vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function negative_inner_product(vector, vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function cosine_distance(vector, vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function l1_distance(vector, vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function vector_dims(vector) returns integer
  language sql immutable strict parallel safe as 'select 0';
create function vector_norm(vector) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create function l2_normalize(vector) returns vector
  language sql immutable strict parallel safe as 'select $1';
create operator <-> (leftarg = vector, rightarg = vector, function = l2_distance,
  commutator = '<->');
create operator <#> (leftarg = vector, rightarg = vector, function = negative_inner_product,
  commutator = '<#>');
create operator <=> (leftarg = vector, rightarg = vector, function = cosine_distance,
  commutator = '<=>');
create operator <+> (leftarg = vector, rightarg = vector, function = l1_distance,
  commutator = '<+>');

create function halfvec_eq(halfvec, halfvec) returns boolean
  language internal immutable strict parallel safe as 'byteaeq';
create operator = (leftarg = halfvec, rightarg = halfvec, function = halfvec_eq);
create function halfvec_l2_distance(halfvec, halfvec) returns double precision
  language sql immutable strict parallel safe as 'select 0::double precision';
create operator <-> (leftarg = halfvec, rightarg = halfvec, function = halfvec_l2_distance);
create operator <#> (leftarg = halfvec, rightarg = halfvec, function = halfvec_l2_distance);
create operator <=> (leftarg = halfvec, rightarg = halfvec, function = halfvec_l2_distance);

-- Casts migrations write: arrays to vector and back.
create function array_to_vector(real[], integer, boolean) returns vector
  language sql immutable strict parallel safe
  as $$ select ('[' || array_to_string($1, ',') || ']')::text::vector $$;
create function array_to_vector(double precision[], integer, boolean) returns vector
  language sql immutable strict parallel safe
  as $$ select ('[' || array_to_string($1, ',') || ']')::text::vector $$;
create function array_to_vector(numeric[], integer, boolean) returns vector
  language sql immutable strict parallel safe
  as $$ select ('[' || array_to_string($1, ',') || ']')::text::vector $$;
create function array_to_vector(integer[], integer, boolean) returns vector
  language sql immutable strict parallel safe
  as $$ select ('[' || array_to_string($1, ',') || ']')::text::vector $$;
create cast (real[] as vector) with function array_to_vector(real[], integer, boolean)
  as assignment;
create cast (double precision[] as vector)
  with function array_to_vector(double precision[], integer, boolean) as assignment;
create cast (numeric[] as vector) with function array_to_vector(numeric[], integer, boolean)
  as assignment;
create cast (integer[] as vector) with function array_to_vector(integer[], integer, boolean)
  as assignment;

create function vector_pick(vector, vector) returns vector
  language sql immutable strict parallel safe as 'select $2';
create aggregate avg(vector) (sfunc = vector_pick, stype = vector);
create aggregate sum(vector) (sfunc = vector_pick, stype = vector);

-- Index methods by pgvector's names, on hash's machinery (single-column, any varlena): an
-- index is made and named as pgvector makes it, with pgvector's operator classes (only
-- ivfflat's vector_l2_ops is a default, as in pgvector's sql/vector.sql). Options (lists, m, ef_construction) are
-- hash's to refuse: a limit the report names.
create function vector_hash(vector) returns integer
  language internal immutable strict parallel safe as 'hashvarlena';
create function halfvec_hash(halfvec) returns integer
  language internal immutable strict parallel safe as 'hashvarlena';
create function ivfflathandler(internal) returns index_am_handler
  language internal strict as 'hashhandler';
create function hnswhandler(internal) returns index_am_handler
  language internal strict as 'hashhandler';
create access method ivfflat type index handler ivfflathandler;
create access method hnsw type index handler hnswhandler;
create operator class vector_l2_ops default for type vector using ivfflat as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_ip_ops for type vector using ivfflat as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_cosine_ops for type vector using ivfflat as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_l2_ops for type vector using hnsw as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_ip_ops for type vector using hnsw as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_cosine_ops for type vector using hnsw as
  operator 1 =, function 1 vector_hash(vector);
create operator class vector_l1_ops for type vector using hnsw as
  operator 1 =, function 1 vector_hash(vector);
create operator class halfvec_l2_ops for type halfvec using ivfflat as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_ip_ops for type halfvec using ivfflat as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_cosine_ops for type halfvec using ivfflat as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_l2_ops for type halfvec using hnsw as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_ip_ops for type halfvec using hnsw as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_cosine_ops for type halfvec using hnsw as
  operator 1 =, function 1 halfvec_hash(halfvec);
create operator class halfvec_l1_ops for type halfvec using hnsw as
  operator 1 =, function 1 halfvec_hash(halfvec);
