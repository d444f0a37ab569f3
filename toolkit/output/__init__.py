"""Reports and how they are written: text, JSON, GitHub annotations, progress lines."""
