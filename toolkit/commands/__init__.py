"""One module per command (check, plan, apply, verify, rollback) over the shared pipeline."""
