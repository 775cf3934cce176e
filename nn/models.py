"""Small assembled models (issue 3)."""
