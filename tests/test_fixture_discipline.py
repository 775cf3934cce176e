"""Torch stays behind the ``torch`` fixture (conftest.py): no test module imports torch when it is imported.

A module that imported torch at import time (``import torch``, ``torch = pytest.importorskip("torch")``, ...)
would be skipped whole where torch is missing, taking its torch-free tests with it. Parsed, not imported, so
this runs (and passes) without torch.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MODULES = sorted(p for p in TESTS.glob("*.py") if p.name != "conftest.py")  # not recursive: tests/asis/ is out
IMPORTERS = {"importorskip", "import_module", "__import__"}


def _is_torch(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] == "torch"


def _import_time_nodes(node: ast.AST):
    """Every node that runs when the module is imported: not function or lambda bodies, but their decorators and
    default values, and class bodies (which do run)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = child.args
            evaluated = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
            if not isinstance(child, ast.Lambda):
                evaluated += child.decorator_list
            for e in evaluated:
                yield e
                yield from _import_time_nodes(e)
        else:
            yield child
            yield from _import_time_nodes(child)


def torch_imports_at_import_time(source: str) -> list[str]:
    """'line N: what' for each statement that would import torch when the module is imported."""
    found = []
    for node in _import_time_nodes(ast.parse(source)):
        if isinstance(node, ast.Import) and any(_is_torch(a.name) for a in node.names):
            found.append(f"line {node.lineno}: import torch")
        elif isinstance(node, ast.ImportFrom) and _is_torch(node.module):
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
            arg = node.args[0]
            if name in IMPORTERS and isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                    and _is_torch(arg.value):
                found.append(f"line {node.lineno}: {name}({arg.value!r})")
    return found


def test_the_guard_sees_every_module():
    names = {p.name for p in MODULES}
    assert "test_fixture_discipline.py" in names and "test_engine.py" in names


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_module_imports_torch_at_import_time(path):
    found = torch_imports_at_import_time(path.read_text(encoding="utf-8"))
    assert not found, (f"{path.name} imports torch at import time ({'; '.join(found)}): take the `torch` fixture "
                       "from conftest.py in the tests that need it, and make module-level tables lazy")


@pytest.mark.parametrize("source", [
    "import torch",
    "import torch.nn as tnn",
    "import numpy as np, torch",
    "from torch import nn",
    "from torch.nn import functional as TF",
    'torch = pytest.importorskip("torch")',
    'tnn = pytest.importorskip("torch.nn")',
    'from pytest import importorskip\ntorch = importorskip("torch")',
    'torch = importlib.import_module("torch")',
    'torch = __import__("torch")',
    "try:\n    import torch\nexcept ImportError:\n    torch = None",
    "if True:\n    import torch",
    "class Torch:\n    import torch",
    'class Torch:\n    lib = pytest.importorskip("torch")',
    'TABLE = [(1, pytest.importorskip("torch").nn.ReLU())]',
    '@pytest.mark.skipif(not pytest.importorskip("torch"), reason="")\ndef test_a():\n    pass',
    'def helper(lib=pytest.importorskip("torch")):\n    pass',
    'f = lambda lib=pytest.importorskip("torch"): lib',
])
def test_the_guard_catches(source):
    assert torch_imports_at_import_time(source)


@pytest.mark.parametrize("source", [
    "def test_a(torch):\n    assert torch.ones(1)",
    "def helper():\n    import torch\n    return torch",
    'def test_b():\n    torch = pytest.importorskip("torch")',
    "class T:\n    def method(self):\n        import torch",
    "TABLE = {'relu': (1, lambda torch: torch.nn.ReLU())}",
    'import torchvision_like_but_not_torch\nx = pytest.importorskip("numpy")',
    "import autograd as torch",
])
def test_the_guard_lets_pass(source):
    assert torch_imports_at_import_time(source) == []
