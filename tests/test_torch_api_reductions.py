"""PyTorch's spellings on tracegrad, compared with torch 2.13: max/min/argmax/amax/sort/topk/gather, reductions
with ``dim``/``keepdim`` (and the ``axis``/``keepdims`` aliases), and shape functions (cat, stack, chunk, split,
norm, ...)."""
import numpy as np
import pytest

import autograd

from _torch_api_helpers import X, _close, _compare, _weights


# ---- max / min / argmax / amax / sort / topk / gather -----------------------------------------------------
def test_max_with_dim_is_a_named_tuple_like_torch(torch):
    for lib in (autograd, torch):
        r = lib.tensor(X).max(dim=1)
        assert r.values is r[0] and r.indices is r[1]
        values, indices = r
        assert indices.tolist() == [0, 1, 2]  # ties: the first index, as torch
        assert str(indices.dtype).endswith("int64")
        assert values.tolist() == [3.0, 5.0, 4.0]


@pytest.mark.parametrize("name,f", [
    ("max_dim1", lambda L, x: x.max(dim=1).values),
    ("max_dim0_keepdim", lambda L, x: x.max(0, keepdim=True)[0]),
    ("min_dim1", lambda L, x: x.min(1).values),
    ("min_dim-1_keepdim", lambda L, x: L.min(x, -1, True).values),
    ("torch_max_dim", lambda L, x: L.max(x, dim=1)[0]),
    ("max_full", lambda L, x: x.max()),
    ("min_full", lambda L, x: L.min(x)),
    ("max_pair", lambda L, x: L.max(x, L.tensor([[3.0], [2.0], [4.0]], dtype=L.float64))),
    ("min_pair", lambda L, x: L.min(x, L.tensor([0.0, 1.0, 3.0, 4.0], dtype=L.float64))),
    ("amax", lambda L, x: x.amax(1)),
    ("amax_all", lambda L, x: x.amax(dim=(0, 1))),
    ("amin_keepdim", lambda L, x: L.amin(x, dim=0, keepdim=True)),
    ("sort", lambda L, x: x.sort(dim=1, descending=True)[0]),
    ("sort_dim0", lambda L, x: L.sort(x, 0).values),
    ("topk", lambda L, x: x.topk(2, dim=1).values),
    ("topk_smallest", lambda L, x: L.topk(x, 2, dim=0, largest=False)[0]),
    ("gather", lambda L, x: x.gather(1, L.tensor([[0, 0], [2, 1], [3, 3]]))),
    ("gather_dim0", lambda L, x: L.gather(x, 0, L.tensor([[2, 0, 1, 1]]))),
])
def test_selection_values_and_gradients_match_torch(torch, name, f):
    _compare(torch, f)


@pytest.mark.parametrize("name,f", [
    ("max_dim", lambda L, x: x.max(1).indices), ("min_dim", lambda L, x: x.min(dim=0, keepdim=True).indices),
    ("argmax", lambda L, x: x.argmax()), ("argmax_dim", lambda L, x: x.argmax(dim=1)),
    ("argmax_keepdim", lambda L, x: L.argmax(x, dim=0, keepdim=True)), ("argmin", lambda L, x: x.argmin(1)),
    ("sort_idx", lambda L, x: x.sort(1, descending=True).indices), ("sort_stable", lambda L, x: L.sort(x, 1)[1]),
    ("topk_idx", lambda L, x: x.topk(3).indices),
])
def test_index_results_match_torch(torch, name, f):
    _close(f(autograd, autograd.tensor(X)), f(torch, torch.tensor(X)))


def test_max_dim_gradient_goes_to_the_index_picked_and_amax_shares():
    x = autograd.tensor([[3.0, 1.0, 3.0]], requires_grad=True)
    x.max(1).values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 0.0]])
    x.grad = None
    x.amax(1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.5, 0.0, 0.5]])


def test_max_over_several_dims_refused_like_torch(torch):
    with pytest.raises(TypeError):
        torch.tensor(X).max(dim=(0, 1))
    with pytest.raises(TypeError, match="amax"):
        autograd.tensor(X).max(dim=(0, 1))


# ---- reductions: dim / keepdim and the axis / keepdims aliases ----------------------------------------------
_REDUCTIONS = "sum mean var std max min amax amin logsumexp norm all any argmax argmin".split()
_DIMS = [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": (0, 2)}, {"dim": (0, 2), "keepdim": True},
         {"dim": 0}]
X3 = np.random.default_rng(0).normal(size=(2, 3, 4))


def _reduce(lib, name, x, kw, form):
    k = dict(kw)
    if form == "alias":
        if "dim" in k:
            k["axis"] = k.pop("dim")
        if "keepdim" in k:
            k["keepdims"] = k.pop("keepdim")
    if name == "logsumexp" and "dim" not in k and "axis" not in k:
        k["dim"] = (0, 1, 2)  # torch.logsumexp needs a dim
    r = getattr(lib, name)(x, **k) if form == "function" else getattr(x, name)(**k)
    return r[0] if isinstance(r, tuple) else r


@pytest.mark.parametrize("name", _REDUCTIONS)
def test_reductions_with_dim_keepdim_and_aliases_match_torch(torch, name):
    boolean = name in ("all", "any")
    differentiable = name not in ("all", "any", "argmax", "argmin")
    checked = 0
    for kw in _DIMS:
        if name in ("max", "min", "argmax", "argmin") and isinstance(kw.get("dim"), tuple):
            continue  # one dim only (test_max_over_several_dims_refused_like_torch)
        data = X3 > 0 if boolean else X3
        t = torch.tensor(data, requires_grad=differentiable)
        expected = _reduce(torch, name, t, kw, "method")
        g_expected = None
        if differentiable:
            (expected * _weights(torch, tuple(expected.shape))).sum().backward()
            g_expected = t.grad
        for form in ("method", "function", "alias"):
            x = autograd.tensor(data, requires_grad=differentiable)
            got = _reduce(autograd, name, x, kw, form)
            _close(got, expected)
            if differentiable:
                (got * _weights(autograd, tuple(got.shape))).sum().backward()
                _close(x.grad, g_expected)
            checked += 1
    assert checked >= 12


def test_dim_and_axis_together_refused():
    with pytest.raises(TypeError, match="axis= or dim="):
        autograd.tensor(X).sum(dim=0, axis=1)


def test_integer_and_bool_sums_are_int64_like_torch(torch):
    for lib in (autograd, torch):
        assert str(lib.tensor([1, 2], dtype=lib.int32).sum().dtype).endswith("int64")
        assert str((lib.tensor(X) > 1).sum(dim=0).dtype).endswith("int64")
        assert str(lib.tensor([1, 2], dtype=lib.int16).sum(dtype=lib.float32).dtype).endswith("float32")


def test_mean_of_an_integer_tensor_raises_runtime_error(torch):
    for lib in (torch, autograd):
        with pytest.raises(RuntimeError, match="mean"):
            lib.tensor([1, 2]).mean()


# ---- shape functions ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,f", [
    ("cat", lambda L, x: L.cat([x, x * 2], dim=1)), ("cat_neg", lambda L, x: L.cat((x, x), -1)),
    ("cat_default", lambda L, x: L.cat([x, x])), ("stack", lambda L, x: L.stack([x, x * 3], dim=1)),
    ("stack_neg", lambda L, x: L.stack([x, x], -1)), ("stack_default", lambda L, x: L.stack([x, -x])),
    ("chunk", lambda L, x: x.chunk(2, dim=1)), ("chunk_uneven", lambda L, x: L.chunk(x, 2, 0)),
    ("chunk_more_than_size", lambda L, x: x.chunk(5, 0)), ("chunk_3_of_4", lambda L, x: x.chunk(3, dim=1)),
    ("split", lambda L, x: x.split(3, dim=1)), ("split_sizes", lambda L, x: L.split(x, [1, 3], dim=1)),
    ("split_default", lambda L, x: x.split(2)), ("unbind", lambda L, x: x.unbind(1)),
    ("repeat", lambda L, x: x.repeat(2, 1)), ("repeat_new_dim", lambda L, x: x.repeat(2, 1, 2)),
    ("repeat_tuple", lambda L, x: x.repeat((1, 3))),
    ("flip", lambda L, x: x.flip(0)), ("flip_list", lambda L, x: L.flip(x, [0, 1])),
    ("index_select", lambda L, x: x.index_select(1, L.tensor([3, 0, 3]))),
    ("index_select_0", lambda L, x: L.index_select(x, 0, L.tensor([2, 2]))),
    ("masked_select", lambda L, x: x.masked_select(x > 2)),
    ("masked_select_broadcast", lambda L, x: L.masked_select(x, L.tensor([True, False, True, False]))),
    ("tril", lambda L, x: x.tril()), ("triu_1", lambda L, x: L.triu(x, 1)), ("tril_-1", lambda L, x: x.tril(-1)),
    ("cumsum", lambda L, x: x.cumsum(0)), ("cumsum_dim", lambda L, x: L.cumsum(x, dim=1)),
    ("cumsum_neg", lambda L, x: x.cumsum(-1)),
    ("norm", lambda L, x: x.norm()), ("norm_1_dim", lambda L, x: x.norm(1, dim=1)),
    ("norm_inf", lambda L, x: x.norm(float("inf"), dim=0)),
    ("norm_3_keepdim", lambda L, x: x.norm(p=3, dim=1, keepdim=True)),
    ("norm_fro", lambda L, x: L.norm(x, "fro")), ("norm_dims", lambda L, x: x.norm(dim=(0, 1))),
    ("clone", lambda L, x: x.clone() * 2),
])
def test_shape_functions_values_and_gradients_match_torch(torch, name, f):
    _compare(torch, f)


def test_cumsum_of_integers_stays_integer(torch):
    for lib in (autograd, torch):
        r = lib.cumsum(lib.tensor([1, 2, 3]), 0)
        assert r.tolist() == [1, 3, 6] and str(r.dtype).endswith("int64")


@pytest.mark.parametrize("p", [2, 1, 3, float("inf")])
def test_norm_gradient_at_zero_is_zero_like_torch(torch, p):
    for lib in (autograd, torch):
        x = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
        x.norm(p).backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))
        x.grad = None
        x.norm(p, dim=1).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


def test_norm_fractional_p_gradient_at_zero_element(torch):
    grads = []
    for lib in (torch, autograd):
        x = lib.tensor([1.0, 0.0, 4.0], dtype=lib.float64, requires_grad=True)
        with np.errstate(all="ignore"):
            x.norm(0.5).backward()
        grads.append(x.grad)
    _close(grads[1], grads[0])


def test_clone_copies_memory_and_gradient_flows():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.numpy() is not x.numpy() and c.requires_grad and not c.is_leaf
    (c * c).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])
