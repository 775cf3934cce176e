"""Utilities that need only Tensors, where PyTorch users look for them (``autograd.utils.data``)."""
from . import data  # noqa: F401


def fast_mode() -> bool:
    """``TRACEGRAD_FAST=1`` (``make test`` sets it): library defaults such as epoch counts shrink, so that executing
    the notebooks in CI stays quick. The code paths are the same; only the default amounts of work change."""
    import os
    return os.environ.get("TRACEGRAD_FAST", "") in ("1", "true", "yes")
