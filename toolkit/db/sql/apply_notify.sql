-- PostgREST reloads its schema cache when the transaction that sends this commits: sent in the
-- last file of an apply run (and after a run that stopped part-way), not once per file.
notify pgrst, 'reload schema'
