"""What a top-level ``Module`` call leaves on the record: each submodule's scope path (``blocks.2.conv1``), stamped
once per call so nested calls find theirs without walking the tree, plus what ``autograd.Graph`` needs to draw the
graph without being given the model: each path's module class and each parameter's qualified name."""
from __future__ import annotations

from typing import Any

from autograd.graph import label_leaf, label_scope


def stamp_scopes(root: Any, generation: int, base: str) -> None:
    """Stamp ``(generation, path)`` on every module under ``root``; record classes and parameter names."""
    for name, m in root.named_modules():
        path = f"{base}.{name}" if base and name else (name or base)
        m.__dict__["_scope_stamp"] = (generation, path)
        if path:
            label_scope(path, type(m).__name__)
    for name, p in root.named_parameters():
        label_leaf(p, f"{base}.{name}" if base else name)
