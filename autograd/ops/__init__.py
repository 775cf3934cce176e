"""Primitive op families, one small file each. Importing this package registers them all."""
from . import elementwise, reduce, movement, linalg, stable, conv, norm  # noqa: F401
