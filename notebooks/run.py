"""Execute every notebook here top to bottom and save it with its outputs (``make notebooks``).

The committed outputs come from this full run; ``make test`` executes the same notebooks with ``TRACEGRAD_FAST=1``
(see ``tests/test_notebooks.py``) without saving them.
"""
from __future__ import annotations

import os
import sys
import time

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from autograd.utils.files import write_atomic  # noqa: E402


def execute(path: str, timeout: int = 600) -> nbformat.NotebookNode:
    # the kernel spec says "python": make it this interpreter (the venv), whatever PATH make started with
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": HERE}}).execute()
    return nb


def main(names: list[str]) -> int:
    paths = [os.path.join(HERE, n) for n in names] or sorted(
        os.path.join(HERE, n) for n in os.listdir(HERE) if n.endswith(".ipynb"))
    for path in paths:
        t0 = time.perf_counter()
        nb = execute(path)
        write_atomic(path, nbformat.writes(nb))
        print(f"{os.path.basename(path)}: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
