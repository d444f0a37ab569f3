"""Comparing the expected schema with the target's, and what the differences mean."""
