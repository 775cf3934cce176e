"""nn.Trainer(penalty=...) and tracegrad.fitting.fit: the penalty's gradient reaches the step (λ·sign θ for L1, 2λθ
for L2, the lecture's convention) while the history keeps the data loss; max_norm after every step; bad settings."""
import numpy as np
import pytest

import autograd
import nn
import optim
from autograd.utils.data import DataLoader
from tracegrad import fitting


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def model(seed=1):
    autograd.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 2))


def one_step(penalty):
    """(weights after one full-batch SGD step through the Trainer, history, the gradient a hand loop computes)."""
    X, y = data()
    m, ref = model(), model()
    loader = DataLoader(nn.data.tensor_dataset(X, y), batch_size=len(X))
    h = nn.Trainer(m, optim.SGD(m.parameters(), lr=0.1), penalty=penalty, progress=False).fit(loader, epochs=1)
    loss = nn.functional.cross_entropy(ref(autograd.Tensor(X)), autograd.Tensor(y))
    data_loss = float(loss.item())
    (loss + penalty(ref)).backward()
    return m, ref, h, data_loss


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_penalty_is_added_to_the_step_and_its_gradient_is_the_lectures(kind):
    lam = 0.05
    fn = getattr(nn.utils, f"{kind}_penalty")
    m, ref, h, data_loss = one_step(lambda mod: lam * fn(mod))
    before = model()
    for p, r, b in zip(m.parameters(), ref.parameters(), before.parameters()):
        np.testing.assert_allclose(p.numpy(), b.numpy() - 0.1 * r.grad.numpy(), rtol=1e-5, atol=1e-7)
    # the penalty's own gradient: λ·sign(θ) (L1) or 2λθ (L2)
    w = autograd.Tensor(before[0].weight.numpy(), requires_grad=True)
    (g,) = autograd.grad(lam * fn([w]), [w])
    expect = lam * np.sign(w.numpy()) if kind == "l1" else 2 * lam * w.numpy()
    np.testing.assert_allclose(g.numpy(), expect, rtol=1e-6)
    assert h["train_loss"][0] == pytest.approx(data_loss, rel=1e-6)  # the history keeps the data loss


def test_no_penalty_is_the_plain_step():
    X, y = data()
    a, b = model(), model()
    loader = DataLoader(nn.data.tensor_dataset(X, y), batch_size=16)
    nn.Trainer(a, optim.SGD(a.parameters(), lr=0.1), progress=False).fit(loader, epochs=2)
    nn.Trainer(b, optim.SGD(b.parameters(), lr=0.1), penalty=lambda mod: 0.0 * nn.utils.l2_penalty(mod),
               progress=False).fit(loader, epochs=2)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-6, atol=1e-7)


def test_a_bad_penalty_is_refused_clearly():
    m = model()
    with pytest.raises(TypeError, match="penalty must be a callable"):
        nn.Trainer(m, optim.SGD(m.parameters(), lr=0.1), penalty=0.01)
    X, y = data()
    loader = DataLoader(nn.data.tensor_dataset(X, y), batch_size=len(X))
    bad = nn.Trainer(m, optim.SGD(m.parameters(), lr=0.1), penalty=lambda mod: mod[0].weight, progress=False)
    with pytest.raises(TypeError, match=r"scalar Tensor .* of shape \(8, 3\)"):
        bad.fit(loader, epochs=1)
    with pytest.raises(TypeError, match="got float"):
        nn.Trainer(m, optim.SGD(m.parameters(), lr=0.1), penalty=lambda mod: 1.0, progress=False).fit(loader, epochs=1)


def test_fit_trains_full_batch_for_the_default_steps_and_learns():
    X, y = data(128)
    m = model()
    h = fitting.fit(m, X, y, (X, y))
    assert len(h["epoch"]) == fitting.STEPS == fitting.default_epochs(len(X))
    assert h["val_acc"][-1] > 0.9 and not m.training
    assert fitting.default_epochs(100, 32, steps=10) == 3 and fitting.default_epochs(100, None, steps=7) == 7


def test_fit_max_norm_bounds_every_unit_after_every_step(monkeypatch):
    X, y = data(128)
    m = model()
    calls = []
    real = nn.utils.max_norm_

    def counted(module, c, dim=0):
        calls.append(c)
        real(module, c, dim)
    monkeypatch.setattr(nn.utils, "max_norm_", counted)
    fitting.fit(m, X, y, epochs=5, batch_size=32, optimizer="sgd", lr=1.0, max_norm=0.3)
    assert calls == [0.3] * 20  # 5 epochs of 4 batches: once after every optimizer step
    for p in m.parameters():
        if p.ndim == 2:
            assert np.linalg.norm(p.numpy(), axis=1).max() <= 0.3 + 1e-6
    free = model()
    fitting.fit(free, X, y, epochs=5, batch_size=32, optimizer="sgd", lr=1.0)
    assert len(calls) == 20  # the hook went away with the first fit
    assert max(np.linalg.norm(p.numpy(), axis=1).max() for p in free.parameters() if p.ndim == 2) > 0.3


def test_fit_penalty_makes_l1_weights_small():
    X, y = data(128)
    plain, l1 = model(), model()
    fitting.fit(plain, X, y, epochs=200, optimizer="sgd", lr=0.1)
    fitting.fit(l1, X, y, epochs=200, optimizer="sgd", lr=0.1, penalty=lambda mod: 0.02 * nn.utils.l1_penalty(mod))
    near = [float(np.mean(np.abs(mod[0].weight.numpy()) < 1e-2)) for mod in (plain, l1)]
    assert near[1] > near[0] + 0.2


@pytest.mark.parametrize("kw, match", [({"batch_size": 0}, "batch_size"), ({"max_norm": 0.0}, "max_norm"),
                                       ({"val": (1, 2, 3)}, "val must be a pair"), ({"optimizer": "nope"}, "nope")])
def test_fit_refuses_bad_settings(kw, match):
    X, y = data()
    with pytest.raises(ValueError, match=match):
        fitting.fit(model(), X, y, epochs=1, **kw)


def test_fit_refuses_bad_arrays():
    X, y = data()
    with pytest.raises(ValueError, match=r"shape \(N, features\)"):
        fitting.fit(model(), X[:, 0], y, epochs=1)
    with pytest.raises(ValueError, match="integers"):
        fitting.fit(model(), X, y.astype(np.float32), epochs=1)
    with pytest.raises(TypeError, match="nn.Module"):
        fitting.fit(lambda x: x, X, y, epochs=1)
