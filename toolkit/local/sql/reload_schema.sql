-- Asks PostgREST to reload its schema cache after reset.
notify pgrst, 'reload schema'
