"""Utilities that need only Tensors, where PyTorch users look for them (``autograd.utils.data``)."""
from . import data  # noqa: F401
