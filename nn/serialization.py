"""``nn.save`` / ``nn.load``: the same functions as ``autograd.save`` / ``autograd.load`` (autograd/serialization.py
holds the format: an ``.npz`` with a JSON structure, no pickle, atomic writes). Importing nn registers
``Parameter`` so that saved Parameters load back as Parameters."""
from autograd.serialization import load, register_tensor_class, save

from .parameter import Parameter

__all__ = ["save", "load"]

register_tensor_class("parameter", Parameter)
