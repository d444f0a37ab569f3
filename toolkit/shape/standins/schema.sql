-- Opens a stand-in's transaction: its unqualified objects go into the schema the migration
-- names for the extension (an existing one; toolkit.shape.managed chooses).
select pg_catalog.set_config('search_path', pg_catalog.quote_ident(%(schema)s) || ', pg_catalog',
                             true)
