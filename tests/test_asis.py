"""PyTorch programs that must run on tracegrad with only their imports changed.

Each file in tests/asis/ is a small program written exactly as PyTorch code, following an official tutorial or
example (its first line names it). This test runs it twice in subprocesses: with real torch (skipped where torch is
absent), and with tracegrad after `port()` rewrote its import lines and nothing else. Each run prints one
`RESULT {json}` line; the two dicts are compared key by key with the checks declared in SPECS (asis_specs.py).

A program that does not yet run (or agree) under tracegrad is marked xfail(strict=True) in XFAIL (asis_specs.py)
with the reason: when the engine gains the feature, the test XPASSes, fails as strict, and the mark must be removed.
"""
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from asis_specs import SPECS, XFAIL, close

ROOT = Path(__file__).resolve().parent.parent
ASIS = Path(__file__).resolve().parent / "asis"
PROGRAMS = sorted(p.stem for p in ASIS.glob("*.py"))
HAVE_TORCH = importlib.util.find_spec("torch") is not None
TIMEOUT_S = 120


# ---------------------------------------------------------------------------------------------- the import rewrite

_MODULES = [  # torch module -> tracegrad module, longest first
    ("torch.utils.data", "autograd.utils.data"),
    ("torch.utils", "autograd.utils"),  # d2l: from torch.utils import data
    ("torch.autograd", "autograd.autograd"),  # from torch.autograd import Function, gradcheck
    ("torch.nn.functional", "nn.functional"),
    ("torch.optim.lr_scheduler", "optim.lr_scheduler"),
    ("torch.nn", "nn"),
    ("torch.optim", "optim"),
]


def _module(name):
    for src, dst in _MODULES:
        if name == src or name.startswith(src + "."):
            return dst + name[len(src):]
    return name


def _port_line(line):
    indent, body = re.match(r"(\s*)(.*)", line).groups()
    m = re.fullmatch(r"import\s+([\w.]+)(\s+as\s+(\w+))?(\s*#.*)?", body)
    if m:
        name, alias, comment = m.group(1), m.group(3), m.group(4) or ""
        if name == "torch":
            return f"{indent}import autograd as {alias or 'torch'}{comment}"
        if name.startswith("torch."):
            if alias is None:  # `import torch.nn` binds `torch`: keep that name working
                return f"{indent}import autograd as torch{comment}"
            return f"{indent}import {_module(name)} as {alias}{comment}"
        return line
    m = re.fullmatch(r"from\s+([\w.]+)\s+import\s+(.*)", body)
    if m:
        name, names = m.groups()
        if name == "torch":
            parts = [p.strip() for p in names.split("#")[0].split(",")]
            if all(p.split(" as ")[0].strip() in ("nn", "optim") for p in parts):  # from torch import nn, optim
                return indent + "; ".join(f"import {p}" for p in parts)
            return f"{indent}from autograd import {names}"
        if name.startswith("torch."):
            return f"{indent}from {_module(name)} import {names}"
    return line


def port(source: str) -> str:
    """Rewrite a PyTorch program's import lines to tracegrad's packages; every other line is left untouched."""
    return "\n".join(_port_line(line) for line in source.split("\n"))


def test_port_rewrites_only_imports():
    src = "\n".join([
        "# import torch in a comment stays",
        "import json",
        "import torch",
        "import torch.nn as nn",
        "import torch.nn.functional as F",
        "import torch.optim as optim",
        "from torch import nn",
        "from torch import optim",
        "from torch.utils.data import DataLoader, TensorDataset",
        "from torch.optim.lr_scheduler import StepLR",
        "from torch.utils import data",
        "from torch.autograd import Function, gradcheck",
        "from torch.nn import functional as F",
        "    import torch",
        "x = torch.nn.Linear(2, 3)  # torch.nn here is code, not an import",
        "s = 'import torch'",
    ])
    assert port(src).split("\n") == [
        "# import torch in a comment stays",
        "import json",
        "import autograd as torch",
        "import nn as nn",
        "import nn.functional as F",
        "import optim as optim",
        "import nn",
        "import optim",
        "from autograd.utils.data import DataLoader, TensorDataset",
        "from optim.lr_scheduler import StepLR",
        "from autograd.utils import data",
        "from autograd.autograd import Function, gradcheck",
        "from nn import functional as F",
        "    import autograd as torch",
        "x = torch.nn.Linear(2, 3)  # torch.nn here is code, not an import",
        "s = 'import torch'",
    ]


def test_port_keeps_every_non_import_line():
    for name in PROGRAMS:
        before = (ASIS / f"{name}.py").read_text().split("\n")
        after = port("\n".join(before)).split("\n")
        assert len(before) == len(after)
        for a, b in zip(before, after):
            if a != b:
                assert re.match(r"\s*(import|from)\s+torch", a), (name, a)


# ---------------------------------------------------------------------------------------------- the comparison table

def _check(spec, expected, actual, where):
    kind = spec[0]
    if kind == "skip":
        return
    if kind == "dtype":
        if expected is not None:  # (None: torch is not installed here)
            assert str(actual) == str(expected).removeprefix("torch."), f"{where}: torch {expected!r} vs {actual!r}"
        return
    if kind == "range":
        lo, hi = spec[1], spec[2]
        for side, value in (("torch", expected), ("tracegrad", actual)):
            if value is None:
                continue
            values = value if isinstance(value, list) else [value]
            for v in values:
                assert lo <= v <= hi, f"{where}: {side} gave {v}, outside [{lo}, {hi}]"
        return
    if expected is None:
        return
    rtol, atol = spec[1], spec[2]
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(expected) == sorted(actual), f"{where}: {expected} vs {actual}"
        for k in expected:
            _check(spec, expected[k], actual[k], f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(expected) == len(actual), f"{where}: {expected} vs {actual}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            _check(spec, e, a, f"{where}[{i}]")
    elif isinstance(expected, float) and not isinstance(actual, (str, type(None))):
        assert math.isclose(float(actual), expected, rel_tol=rtol, abs_tol=atol), \
            f"{where}: torch {expected!r} vs tracegrad {actual!r}"
    else:
        assert type(actual) is type(expected) and actual == expected, \
            f"{where}: torch {expected!r} vs tracegrad {actual!r}"


# ---------------------------------------------------------------------------------------------- running programs

# One runner process per engine imports it once (importing torch is most of a small program's time), then forks a
# child per program: each program still runs in its own fresh process, two at a time.
_RUNNER = r"""
import json, os, runpy, sys, time
jobs, preload, timeout = json.loads(sys.argv[1]), sys.argv[2].split(","), float(sys.argv[3])
for mod in preload:
    try:
        __import__(mod)
    except Exception:
        pass
running = {}
def reap(block):
    while running:
        pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        if pid == 0:
            for p, (w, t0) in list(running.items()):
                if time.time() - t0 > timeout:
                    os.kill(p, 9)
            time.sleep(0.02)
            continue
        workdir, _ = running.pop(pid)
        open(os.path.join(workdir, "status"), "w").write(str(status))
        return
for script, workdir in jobs:
    while len(running) >= 2:
        reap(False)
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(workdir)
            out = os.open("stdout", os.O_WRONLY | os.O_CREAT); err = os.open("stderr", os.O_WRONLY | os.O_CREAT)
            os.dup2(out, 1); os.dup2(err, 2)
            sys.argv = [script]; sys.path.insert(0, workdir)
            runpy.run_path(script, run_name="__main__")
            code = 0
        except BaseException:
            import traceback; traceback.print_exc(); code = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)
    running[pid] = (workdir, time.time())
while running:
    reap(False)
"""


def _start_runner(jobs, preload, pythonpath):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0", CUDA_VISIBLE_DEVICES="")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.Popen([sys.executable, "-c", _RUNNER, json.dumps(jobs), preload, str(TIMEOUT_S)], env=env,
                            cwd=tempfile.gettempdir())


def _result(workdir):
    workdir = Path(workdir)
    out = (workdir / "stdout").read_text() if (workdir / "stdout").exists() else ""
    err = (workdir / "stderr").read_text() if (workdir / "stderr").exists() else ""
    for line in out.splitlines()[::-1]:
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):]), err
    if not (workdir / "status").exists():
        err += f"\n(killed: ran past {TIMEOUT_S} s)"
    tail = err.strip().splitlines() or ["(no output)"]
    return None, "\n".join(tail[-15:])


@pytest.fixture(scope="module")
def runs():
    """All programs under both engines: {(name, side): (result dict or None, stderr tail)}."""
    tmp = tempfile.TemporaryDirectory()
    jobs = {"torch": [], "tracegrad": []}
    for name in PROGRAMS:
        source = (ASIS / f"{name}.py").read_text()
        for side in ("torch", "tracegrad"):
            if side == "torch" and not HAVE_TORCH:
                continue
            workdir = Path(tmp.name) / f"{name}-{side}"
            workdir.mkdir()
            script = workdir / f"{name}.py"
            script.write_text(source if side == "torch" else port(source))
            jobs[side].append((str(script), str(workdir)))
    procs = [_start_runner(jobs["tracegrad"], "numpy,autograd,nn,optim", str(ROOT))]
    if HAVE_TORCH:
        procs.append(_start_runner(jobs["torch"], "numpy,torch,torch.optim,torch._dynamo", None))
    for proc in procs:
        proc.wait(timeout=TIMEOUT_S * len(PROGRAMS))
    results = {}
    for side, side_jobs in jobs.items():
        for (script, workdir) in side_jobs:
            results[Path(script).stem, side] = _result(workdir)
    yield results
    tmp.cleanup()


def _params():
    for name in PROGRAMS:
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        yield pytest.param(name, marks=marks, id=name)


def test_every_program_has_a_spec():
    assert sorted(SPECS) == PROGRAMS
    assert set(XFAIL) <= set(PROGRAMS)
    for name in PROGRAMS:
        first = (ASIS / f"{name}.py").read_text().split("\n")[0]
        assert first.startswith("# Follows:"), name


@pytest.mark.parametrize("name", list(_params()))
def test_asis(name, runs):
    expected = None
    if HAVE_TORCH:
        expected, err = runs[name, "torch"]
        assert expected is not None, f"the program fails under torch itself:\n{err}"
    actual, err = runs[name, "tracegrad"]
    assert actual is not None, f"fails under tracegrad:\n{err}"
    spec = SPECS[name]
    if expected is not None:
        assert sorted(actual) == sorted(expected), "the RESULT keys differ"
    for key in (expected or actual):
        _check(spec.get(key, spec.get("_default", close())), None if expected is None else expected[key],
               actual[key], f"{name}:{key}")
