"""Primitive op families, one small file each. Importing this package registers them all."""
from . import elementwise, special, reduce, movement, linalg, softmax, conv, norm  # noqa: F401
