"""nn.Embedding and F.embedding: lookup, padding_idx (no gradient), from_pretrained, errors; PyTorch parity."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("idx_shape", [(), (5,), (2, 3)])
def test_embedding_gradcheck(idx_shape, rng):
    w = Tensor(rng.standard_normal((6, 3)), requires_grad=True)
    idx = rng.integers(0, 6, idx_shape)
    if idx.ndim:
        idx.reshape(-1)[[0, -1]] = 1  # a repeated index: its gradients add up
    assert autograd.gradcheck(lambda w: F.embedding(idx, w), [w])


@pytest.mark.parametrize("padding_idx", [1, -5])
def test_padding_row_gets_no_gradient_and_the_others_theirs(padding_idx, rng):
    w = Tensor(rng.standard_normal((6, 3)), requires_grad=True)
    idx, g = np.array([[1, 2, 1], [0, 1, 5]]), Tensor(rng.standard_normal((2, 3, 3)))
    out = F.embedding(idx, w, padding_idx)
    np.testing.assert_array_equal(out.numpy(), w.numpy()[idx])        # the padding row's values as stored
    padded, = autograd.grad((out * g).sum(), [w])
    plain, = autograd.grad((F.embedding(idx, w) * g).sum(), [w])
    expect = plain.numpy().copy()
    expect[1] = 0
    np.testing.assert_array_equal(padded.numpy(), expect)


@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
def test_embedding_matches_torch(padding_idx, rng, torch):
    ours = nn.Embedding(5, 4, padding_idx=padding_idx).double()
    ref = torch.nn.Embedding(5, 4, padding_idx=padding_idx).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ours.weight.numpy()))
    idx = np.array([[0, 3, 3, 4], [1, 0, 4, 2], [4, 4, 4, 0]])
    g = rng.standard_normal((3, 4, 4))
    out, expect = ours(Tensor(idx, dtype=np.int64)), ref(torch.tensor(idx))
    np.testing.assert_allclose(out.numpy(), expect.detach().numpy(), rtol=0, atol=1e-12)
    (out * Tensor(g)).sum().backward()
    (expect * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=0, atol=1e-12)
    if padding_idx is not None:
        assert not ours.weight.grad.numpy()[padding_idx].any()
    assert repr(ours) == repr(ref)
    assert ours.padding_idx == ref.padding_idx


def test_embedding_init_is_standard_normal_from_the_generator():
    autograd.manual_seed(7)
    a = nn.Embedding(400, 50)
    autograd.manual_seed(7)
    b = nn.Embedding(400, 50, padding_idx=2)
    w = a.weight.numpy()
    assert a.weight.dtype == np.float32 and a.weight.requires_grad
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    np.testing.assert_array_equal(b.weight.numpy()[3:], w[3:])          # the same draws
    assert not b.weight.numpy()[2].any()                                # the padding row starts at zero
    assert [n for n, _ in a.named_parameters()] == ["weight"]


def test_from_pretrained_copies_and_freezes(rng):
    table = rng.standard_normal((4, 2))
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad and emb.weight.dtype == np.float64
    table[0] = 9.0
    assert emb.weight.numpy()[0, 0] != 9.0                              # a copy
    np.testing.assert_array_equal(emb(np.array([2, 1])).numpy(), emb.weight.numpy()[[2, 1]])
    tuned = nn.Embedding.from_pretrained(Tensor(table), freeze=False, padding_idx=0)
    assert tuned.weight.requires_grad and tuned.padding_idx == 0
    np.testing.assert_array_equal(tuned(np.array([0])).numpy()[0], table[0])  # the stored row, not zeros


def test_embedding_errors():
    emb = nn.Embedding(4, 2)
    with pytest.raises(IndexError, match=r"embedding: index 4 out of range.*4 embeddings"):
        emb(np.array([0, 4]))
    with pytest.raises(IndexError, match="index -1"):
        emb(np.array([-1]))
    with pytest.raises(TypeError, match="integer tensor.*float32"):
        emb(Tensor(np.array([1.0], dtype=np.float32)))
    with pytest.raises(ValueError, match="padding_idx must be within the 4 embeddings"):
        nn.Embedding(4, 2, padding_idx=4)
    with pytest.raises(ValueError, match="num_embeddings must be a positive int"):
        nn.Embedding(0, 2)
    with pytest.raises(ValueError, match="2-D"):
        nn.Embedding.from_pretrained(np.zeros(3))
    with pytest.raises(ValueError, match="weight must be 2-D"):
        F.embedding(np.array([0]), Tensor(np.zeros(3)))
