"""nn.EmbeddingBag and F.embedding_bag: every mode, offsets, 2-D input, padding, per-sample weights; vs PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

INPUT = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0])
OFFSETS = np.array([0, 3, 3, 7])  # bag 1 is empty


def _both(torch, rng, kwargs, inp=INPUT, offsets=OFFSETS, psw=None):
    """Our and torch's output, table gradient and per-sample-weight gradient for the same random table."""
    w = rng.standard_normal((10, 3))
    a, b = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    pa = None if psw is None else Tensor(psw, requires_grad=True)
    pb = None if psw is None else torch.tensor(psw, requires_grad=True)
    off_a = None if offsets is None else Tensor(offsets)
    off_b = None if offsets is None else torch.tensor(offsets)
    y = F.embedding_bag(Tensor(inp), a, off_a, per_sample_weights=pa, **kwargs)
    yt = torch.nn.functional.embedding_bag(torch.tensor(inp), b, off_b, per_sample_weights=pb, **kwargs)
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(y.shape)
    y.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-12)
    if psw is not None:
        np.testing.assert_allclose(pa.grad.numpy(), pb.grad.numpy(), rtol=1e-12, atol=1e-12)
    return y


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 4, -1])
@pytest.mark.parametrize("include_last_offset", [False, True])
def test_offsets_match_torch(mode, padding_idx, include_last_offset, rng, torch):
    offsets = np.append(OFFSETS, INPUT.size) if include_last_offset else OFFSETS  # CSR: the last is the length
    y = _both(torch, rng, dict(mode=mode, padding_idx=padding_idx, include_last_offset=include_last_offset),
              offsets=offsets)
    assert y.shape == (4, 3)
    assert not y.numpy()[1].any()  # the empty bag is zeros in every mode


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_2d_input_matches_torch(mode, rng, torch):
    inp = rng.integers(0, 10, (4, 5))
    _both(torch, rng, dict(mode=mode), inp=inp, offsets=None)
    _both(torch, rng, dict(mode=mode, padding_idx=int(inp[0, 0]), include_last_offset=True), inp=inp, offsets=None)


def test_per_sample_weights_match_torch(rng, torch):
    _both(torch, rng, dict(mode="sum"), psw=rng.standard_normal(INPUT.size))
    inp = rng.integers(0, 10, (3, 4))
    _both(torch, rng, dict(mode="sum", padding_idx=int(inp[1, 2])), inp=inp, offsets=None,
          psw=rng.standard_normal((3, 4)))


def test_max_takes_the_first_maximum(torch):
    w = np.array([[1.0, 5.0], [1.0, 2.0], [0.0, 5.0]])
    a, b = Tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    F.embedding_bag(np.array([[1, 0, 2]]), a, mode="max").sum().backward()
    torch.nn.functional.embedding_bag(torch.tensor([[1, 0, 2]]), b, mode="max").sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck(mode, rng):
    w = Tensor(rng.standard_normal((10, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda t: F.embedding_bag(INPUT, t, OFFSETS, mode=mode, padding_idx=2), [w])
    psw = Tensor(rng.standard_normal(INPUT.size), requires_grad=True)
    assert autograd.gradcheck(lambda t, p: F.embedding_bag(INPUT, t, OFFSETS, mode="sum", per_sample_weights=p),
                              [w, psw])


def test_module_matches_torch_and_from_pretrained(rng, torch):
    ours = nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0).double()
    ref = torch.nn.EmbeddingBag(10, 3, mode="sum", padding_idx=0).double()
    assert repr(ours) == repr(ref) and ours.weight.shape == (10, 3) and not ours.weight.numpy()[0].any()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ours.weight.numpy()))
    np.testing.assert_allclose(ours(Tensor(INPUT), Tensor(OFFSETS)).numpy(),
                               ref(torch.tensor(INPUT), torch.tensor(OFFSETS)).detach().numpy(), atol=1e-12)
    assert [n for n, _ in ours.named_parameters()] == ["weight"] and list(ours.state_dict()) == ["weight"]
    w = rng.standard_normal((10, 3))
    bag = nn.EmbeddingBag.from_pretrained(Tensor(w), mode="max")
    assert not bag.weight.requires_grad and bag.mode == "max"
    assert nn.EmbeddingBag.from_pretrained(w, freeze=False).weight.requires_grad
    np.testing.assert_allclose(bag(np.array([[1, 2]])).numpy(),
                               torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="max")(
                                   torch.tensor([[1, 2]])).numpy(), atol=1e-12)


def test_default_init_is_standard_normal_float32():
    w = nn.EmbeddingBag(300, 40).weight.numpy()
    assert w.dtype == np.float32
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02


@pytest.mark.parametrize("call, exc, match", [
    (lambda w: F.embedding_bag(INPUT, w), ValueError, "embedding_bag: a 1-D input needs offsets"),
    (lambda w: F.embedding_bag(INPUT.reshape(2, 5), w, OFFSETS), ValueError, "offsets has to be None"),
    (lambda w: F.embedding_bag(INPUT.reshape(1, 2, 5), w), ValueError, r"1-D or 2-D tensor, got shape \(1, 2, 5\)"),
    (lambda w: F.embedding_bag(INPUT, w, np.array([1, 3])), ValueError, "offsets\\[0\\] has to be 0"),
    (lambda w: F.embedding_bag(INPUT, w, np.array([0, 11])), ValueError, "greater than the input's length 10"),
    (lambda w: F.embedding_bag(INPUT, w, np.array([0, 5, 3])), ValueError, "non-decreasing"),
    (lambda w: F.embedding_bag(INPUT, w, np.array([0.0])), ValueError, "1-D integer tensor"),
    (lambda w: F.embedding_bag(INPUT, w, OFFSETS, mode="min"), ValueError, "mode has to be one of"),
    (lambda w: F.embedding_bag(INPUT, w, OFFSETS, per_sample_weights=np.ones(10)), NotImplementedError,
     "only supported for mode='sum'"),
    (lambda w: F.embedding_bag(INPUT, w, OFFSETS, mode="sum", per_sample_weights=np.ones(9)), ValueError,
     r"per_sample_weights has shape \(9,\)"),
    (lambda w: F.embedding_bag(INPUT + 1, w, OFFSETS), IndexError, "embedding_bag: index 10 out of range"),
    (lambda w: F.embedding_bag(INPUT.astype(float), w, OFFSETS), TypeError, "must be an integer tensor"),
    (lambda w: nn.EmbeddingBag(10, 3, mode="min"), ValueError, "EmbeddingBag: mode has to be one of"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(Tensor(np.ones((10, 3))))
