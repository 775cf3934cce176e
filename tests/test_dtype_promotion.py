"""PyTorch's type promotion: dtype pairs x shapes (dimensioned / 0-d) x ops against torch, Python scalars
that never widen a tensor, ``result_type`` / ``promote_types``, and gradients in each input's dtype."""
import itertools
import operator

import numpy as np
import pytest

import autograd

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
SHAPES = {"dim-dim": (False, False), "dim-0d": (False, True), "0d-dim": (True, False), "0d-0d": (True, True)}


def _name(dt) -> str:
    """'float32' for torch.float32, numpy.float32 and dtype('float32')."""
    s = str(dt).removeprefix("torch.")
    if s.startswith("<class"):
        s = np.dtype(dt).name
    return s


def _operand(lib, dt: str, zero_dim: bool, which: int):
    """A tensor of dtype ``dt``; values avoid zero divisors and negative powers."""
    if dt == "bool":
        vals = [True, which == 1]
    else:
        vals = [3, 1] if which == 0 else [2, 1]
    return lib.tensor(vals[0] if zero_dim else vals, dtype=getattr(lib, dt))


_OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv,
    "maximum": lambda L, a, b: L.maximum(a, b), "minimum": lambda L, a, b: L.minimum(a, b),
    "where": lambda L, a, b: L.where(L.tensor([True, False]), a, b),
    "lt": operator.lt, "eq": operator.eq, "pow": operator.pow,
}
_LIB_OPS = {"maximum", "minimum", "where"}


def _run(lib, op, a, b):
    f = _OPS[op]
    return f(lib, a, b) if op in _LIB_OPS else f(a, b)


def _outcome(lib, op, a, b):
    try:
        r = _run(lib, op, a, b)
    except (RuntimeError, TypeError, NotImplementedError, ValueError):
        return "error", None
    return _name(r.dtype), r


def _torch_refuses(op: str, a: str, b: str) -> bool:
    """Cases torch refuses: '-' with a bool operand, and bool ** bool (tested on their own below)."""
    return (op == "sub" and "bool" in (a, b)) or (op == "pow" and a == b == "bool")


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("op", list(_OPS))
def test_dtype_pair_grid_matches_torch(torch, op, shape):
    za, zb = SHAPES[shape]
    bad = []
    for da, db in itertools.product(DTYPES, DTYPES):
        if _torch_refuses(op, da, db):
            continue
        theirs, tr = _outcome(torch, op, _operand(torch, da, za, 0), _operand(torch, db, zb, 1))
        with np.errstate(all="ignore"):
            ours, r = _outcome(autograd, op, _operand(autograd, da, za, 0), _operand(autograd, db, zb, 1))
        if ours != theirs:
            bad.append(f"{da} {op} {db}: torch {theirs}, tracegrad {ours}")
        elif r is not None:
            assert tuple(r.shape) == tuple(tr.shape), (da, db)
            if not np.allclose(r.numpy().astype(np.float64), tr.numpy().astype(np.float64), rtol=1e-3,
                               equal_nan=True):
                bad.append(f"{da} {op} {db}: values {r.numpy()} != torch {tr.numpy()}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_result_type_of_tensor_pairs_matches_torch(torch, shape):
    za, zb = SHAPES[shape]
    bad = []
    for da, db in itertools.product(DTYPES, DTYPES):
        theirs = _name(torch.result_type(_operand(torch, da, za, 0), _operand(torch, db, zb, 1)))
        ours = _name(autograd.result_type(_operand(autograd, da, za, 0), _operand(autograd, db, zb, 1)))
        if ours != theirs:
            bad.append(f"result_type({da}{' 0-d' * za}, {db}{' 0-d' * zb}): torch {theirs}, tracegrad {ours}")
    assert not bad, "\n".join(bad)


def test_promote_types_matches_torch_for_every_pair(torch):
    for da, db in itertools.product(DTYPES, DTYPES):
        theirs = torch.promote_types(getattr(torch, da), getattr(torch, db))
        ours = autograd.promote_types(getattr(autograd, da), getattr(autograd, db))
        assert _name(ours) == _name(theirs), (da, db)


def test_promote_types_examples_without_torch():
    assert autograd.promote_types(autograd.int64, autograd.float32) == np.float32  # NumPy would say float64
    assert autograd.promote_types(autograd.int64, autograd.float16) == np.float16
    assert autograd.promote_types(autograd.uint8, autograd.int8) == np.int16
    assert autograd.promote_types(autograd.bool, autograd.uint8) == np.uint8
    assert autograd.result_type(autograd.tensor([1, 2]), 2.5) == np.float32
    assert autograd.result_type(2, 2.5) == np.float32
    assert autograd.result_type(autograd.tensor([1], dtype=autograd.int32),
                                autograd.tensor(1.0, dtype=autograd.float64)) == np.float64


# ---- Python scalars --------------------------------------------------------------------------------------
SCALARS = {"int": 2, "float": 2.5, "bool": True, "np.float64": np.float64(2.5), "np.int64": np.int64(3)}
_SCALAR_OPS = {
    "add": lambda L, x, s: x + s, "radd": lambda L, x, s: s + x, "mul": lambda L, x, s: x * s,
    "rmul": lambda L, x, s: s * x, "div": lambda L, x, s: x / s, "rdiv": lambda L, x, s: s / x,
    "sub": lambda L, x, s: x - s, "rsub": lambda L, x, s: s - x, "pow": lambda L, x, s: x ** s,
    "rpow": lambda L, x, s: s ** x, "where": lambda L, x, s: L.where(L.tensor([True, False]), x, s),
    "lt": lambda L, x, s: x < s, "ge": lambda L, x, s: x >= s,
}


@pytest.mark.parametrize("scalar", list(SCALARS))
@pytest.mark.parametrize("zero_dim", [False, True], ids=["dim", "0d"])
def test_python_scalar_grid_matches_torch(torch, scalar, zero_dim):
    s = SCALARS[scalar]
    bad = []
    for dt, (op, f) in itertools.product(DTYPES, _SCALAR_OPS.items()):
        if (op in ("sub", "rsub") and "bool" in (dt, scalar)) or (op in ("pow", "rpow") and dt == scalar == "bool"):
            continue  # torch refuses these (see the xfail tests below)
        outcomes = []
        for lib in (torch, autograd):
            x = _operand(lib, dt, zero_dim, 0)
            try:
                with np.errstate(all="ignore"):
                    r = f(lib, x, s)
                outcomes.append((_name(r.dtype), np.asarray(r.numpy(), dtype=np.float64).round(3).tolist()))
            except (RuntimeError, TypeError, NotImplementedError, ValueError):
                outcomes.append(("error", None))
        if outcomes[0] != outcomes[1]:
            bad.append(f"{dt} tensor {op} {scalar}: torch {outcomes[0]}, tracegrad {outcomes[1]}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("dt", ["float16", "float32", "float64", "int8", "int16", "int32", "uint8"])
def test_python_scalars_never_widen_a_tensor(dt):
    x = autograd.tensor([1, 2], dtype=getattr(autograd, dt))
    for s in (2, True, np.int64(2)):
        assert (x * s).dtype == x.dtype and (s + x).dtype == x.dtype
    if x.dtype.kind == "f":
        for s in (2.5, np.float64(2.5)):
            assert (x * s).dtype == x.dtype and (s - x).dtype == x.dtype and (x / s).dtype == x.dtype
    else:  # a float scalar with an integer tensor gives the default float dtype, not float64
        assert (x * 2.5).dtype == np.float32 and (np.float64(0.5) + x).dtype == np.float32


def test_integer_scalar_wraps_in_the_tensor_dtype_like_torch(torch):
    for lib in (torch, autograd):
        assert (lib.tensor([200], dtype=lib.uint8) + 100).tolist() == [44]
        assert (lib.tensor([100], dtype=lib.int8) + 100).tolist() == [-56]
        assert (lib.tensor([1, 2], dtype=lib.uint8) + lib.tensor(-1, dtype=lib.int8)).tolist() == [0, 1]


def test_integer_true_division_gives_float32(torch):
    for lib in (torch, autograd):
        r = lib.tensor([1, 2]) / lib.tensor([2, 4])
        assert _name(r.dtype) == "float32" and r.tolist() == [0.5, 0.5]
        assert _name((lib.tensor([3], dtype=lib.int16) / 2).dtype) == "float32"


def test_numpy_array_operand_keeps_its_dtype(torch):
    # torch turns the array into a float64 tensor: float32 tensor + float64 array -> float64
    assert (torch.ones(2) + torch.from_numpy(np.ones(2))).dtype == torch.float64
    assert (autograd.ones(2) + np.ones(2)).dtype == np.float64


# ---- torch refuses, tracegrad computes --------------------------------------------------------------------
@pytest.mark.parametrize("other", ["bool", "int64", "float32", "scalar", "True"])
def test_subtraction_with_a_bool_tensor_raises(torch, other):
    for lib in (torch, autograd):
        b = lib.tensor([True, False])
        o = {"scalar": 1, "True": True}.get(other) or lib.tensor([1, 0], dtype=getattr(lib, other))
        if other == "True":  # a float tensor minus a Python bool
            b = lib.tensor([1.0, 2.0])
        with pytest.raises(RuntimeError, match="with (a bool tensor|two bool tensors) is not supported"):
            b - o


def test_bool_tensor_power_bool_scalar_stays_bool(torch):
    assert (torch.tensor([True, False]) ** True).dtype == torch.bool
    assert (autograd.tensor([True, False]) ** True).dtype == np.bool_


def test_integer_to_negative_integer_power_raises_torchs_error(torch):
    for lib in (torch, autograd):
        with pytest.raises(RuntimeError, match="negative integer powers"):
            lib.tensor([1, 2]) ** -1


# ---- gradients come back in each input's dtype -----------------------------------------------------------
def test_mixed_dtype_gradients_match_torch_in_each_inputs_dtype(torch):
    results = []
    for lib in (autograd, torch):
        a = lib.tensor([1.0, 2.0], dtype=lib.float32, requires_grad=True)
        b = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
        c = lib.tensor(2.0, dtype=lib.float16, requires_grad=True)
        d = lib.tensor(5.0, dtype=lib.float64, requires_grad=True)
        out = (a * b + a / c + lib.maximum(a, d) + lib.where(lib.tensor([True, False]), a, b) + a ** c + b - d).sum()
        assert _name(out.dtype) == "float64"
        out.backward()
        results.append([(t.grad, _name(t.dtype), _name(t.grad.dtype)) for t in (a, b, c, d)])
    for (ga, dta, dtga), (gt, dtt, dtgt) in zip(*results):
        assert dta == dtga == dtt == dtgt
        np.testing.assert_allclose(ga.numpy().astype(np.float64), gt.numpy().astype(np.float64), rtol=2e-3)


@pytest.mark.parametrize("fdt", ["float16", "float32", "float64"])
@pytest.mark.parametrize("idt", ["bool", "uint8", "int32", "int64"])
def test_float_with_integer_operand_gradient_dtype(torch, fdt, idt):
    grads = []
    for lib in (autograd, torch):
        x = lib.tensor([1.0, 2.0], dtype=getattr(lib, fdt), requires_grad=True)
        i = lib.tensor([1, 2] if idt != "bool" else [True, False], dtype=getattr(lib, idt))
        y = x * i + lib.maximum(x, i)
        if idt != "bool":  # NOTE: torch's backward of x ** bool_tensor and i / x subtracts bools and raises
            y = y + i / x + x ** i
        assert _name(y.dtype) == fdt
        y.sum().backward()
        assert _name(x.grad.dtype) == fdt
        grads.append(x.grad.numpy().astype(np.float64))
    np.testing.assert_allclose(grads[0], grads[1], rtol=2e-3)


def test_mixed_dtype_gradients_without_torch():
    a = autograd.tensor([1.0, 2.0], requires_grad=True)
    b = autograd.tensor([3.0, 4.0], dtype=autograd.float64, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_allclose(a.grad.numpy(), [3.0, 4.0])
    np.testing.assert_allclose(b.grad.numpy(), [1.0, 2.0])
