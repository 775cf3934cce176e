"""Regularisation and gradient utilities (issue 3)."""
