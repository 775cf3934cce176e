"""Weight initialisers (filled in by issue 3)."""
