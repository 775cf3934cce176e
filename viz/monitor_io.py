"""A gradient history on disk: JSON, written atomically. JSON has no NaN or infinity, so those are written as the
strings "nan", "inf", "-inf" (``viz.diagnose`` reads them back as numbers): a loaded history diagnoses the same."""
from __future__ import annotations

import json
import math
import os
from typing import Any

from .files import write_atomic


def write_history(history: dict[str, Any], path: str | os.PathLike[str]) -> str:
    """Write ``history`` to ``path`` (a temporary file in the same folder, then a rename); returns the path."""
    h = dict(history)
    h["stats"] = {s: [[v if v is None or isinstance(v, str) or math.isfinite(v) else str(v) for v in r]
                      for r in rows] for s, rows in history["stats"].items()}
    return write_atomic(path, json.dumps(h))


def read_history(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The history saved at ``path`` (no code is executed: plain JSON)."""
    with open(path, encoding="utf-8") as f:
        return json.load(f)
