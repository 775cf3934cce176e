"""Overfitting tools (notebook 10): nn.callbacks.Evaluate (a test curve per epoch), viz.plot_history's test series,
viz.plot_capacity's metric and threshold options, and tracegrad.overfitting (noisy labels, loaders, one width trained,
the capacity sweep in process and through run_sweep, reading a double-descent curve)."""
import numpy as np
import pytest

import autograd
import nn
import optim
from autograd.utils.data import DataLoader, TensorDataset
from tracegrad import overfitting
from viz import plots


def _data(n=64, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0.3)


def _loader(X, y, bs=16, shuffle=False):
    return DataLoader(TensorDataset(autograd.tensor(X), autograd.tensor(y)), batch_size=bs, shuffle=shuffle)


def _model():
    autograd.manual_seed(3)
    return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))


# ---- nn.callbacks.Evaluate --------------------------------------------------------------------------
def test_evaluate_adds_a_test_curve_matching_a_hand_computation():
    X, y = _data()
    Xt, yt = _data(40, seed=1)
    seen = []

    class After(nn.Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            seen.append(logs["test_loss"])

    model = _model()
    trainer = nn.Trainer(model, optim.SGD(model.parameters(), lr=0.1), progress=False,
                         callbacks=[nn.callbacks.Evaluate(_loader(Xt, yt, bs=16)), After()])
    h = trainer.fit(_loader(X, y), _loader(X, y), epochs=3)
    assert len(h["test_loss"]) == len(h["test_acc"]) == 3 and seen == h["test_loss"]
    with autograd.no_grad():
        out = model(autograd.Tensor(Xt))
        loss = float(nn.functional.cross_entropy(out, autograd.tensor(yt)).item())
    assert h["test_loss"][-1] == pytest.approx(loss, rel=1e-5)  # batches of 16, 16, 8: weighted by size
    assert h["test_acc"][-1] == pytest.approx(float((out.numpy().argmax(1) == yt).mean()))
    assert model.training  # the model is put back in training mode


def test_evaluate_leaves_training_and_early_stopping_alone():
    X, y = _data()
    runs = []
    for cbs in ([], [nn.callbacks.Evaluate(_loader(*_data(30, seed=2)), name="holdout")]):
        model = _model()
        trainer = nn.Trainer(model, optim.SGD(model.parameters(), lr=0.5), early_stopping=1, progress=False,
                             callbacks=cbs)
        runs.append(trainer.fit(_loader(X, y, shuffle=False), _loader(*_data(30, seed=5)), epochs=12))
    assert runs[0]["val_loss"] == runs[1]["val_loss"] and runs[0]["best_epoch"] == runs[1]["best_epoch"]
    assert len(runs[1]["holdout_loss"]) == len(runs[1]["epoch"])


def test_evaluate_refuses_bad_arguments():
    with pytest.raises(ValueError, match="name"):
        nn.callbacks.Evaluate(_loader(*_data()), name="val")
    with pytest.raises(TypeError, match="loader"):
        nn.callbacks.Evaluate(3)
    X, y = _data()
    model = _model()
    trainer = nn.Trainer(model, optim.SGD(model.parameters(), lr=0.1), progress=False,
                         callbacks=[nn.callbacks.Evaluate([])])
    with pytest.raises(ValueError, match="no batches"):
        trainer.fit(_loader(X, y), epochs=1)


# ---- viz: the test series and the capacity options ---------------------------------------------------
def test_plot_history_draws_the_test_series():
    t = np.arange(12.0)
    h = {"train_loss": list(1 / (1 + t)), "val_loss": list(1 / (1 + t) + 0.01 * (t - 4) ** 2),
         "test_loss": list(1 / (1 + t) + 0.012 * (t - 4) ** 2), "train_acc": list(0.5 + t / 30),
         "val_acc": list(0.6 + t / 40), "test_acc": list(0.6 + t / 45)}
    fig = plots.plot_history(h)
    for ax in fig.axes:
        assert {"train", "validation", "test"} <= {ln.get_label() for ln in ax.lines}
    only_test = plots.plot_history({"test_loss": h["test_loss"]})
    assert [ln.get_label() for ln in only_test.axes[0].lines] == ["test"]


def _capacity():
    sizes = [100, 300, 1000, 3000, 10_000, 30_000]
    return [{"params": p, "train_loss": a, "test_loss": b, "train_error": a, "test_error": b}
            for p, a, b in zip(sizes, [0.3, 0.2, 0.1, 0.05, 0.0, 0.0], [0.4, 0.3, 0.35, 0.5, 0.3, 0.2])]


def test_plot_capacity_metric_and_given_threshold():
    fig = plots.plot_capacity(_capacity(), metric="loss", threshold=2000)
    ax = fig.axes[0]
    assert {"train loss", "test loss"} <= {ln.get_label() for ln in ax.lines}
    mark = [ln for ln in ax.lines if ln.get_gid() == "interpolation-threshold"]
    assert len(mark) == 1 and mark[0].get_xdata()[0] == 2000
    assert ax.get_ylabel() == "loss" and "loss" in ax.get_title()
    auto = plots.plot_capacity(_capacity()).axes[0]  # without it: the first model with train error <= tol
    assert [ln.get_xdata()[0] for ln in auto.lines if ln.get_gid() == "interpolation-threshold"] == [10_000]
    with pytest.raises(ValueError, match="threshold"):
        plots.plot_capacity(_capacity(), threshold=-1)
    with pytest.raises(ValueError, match="train_accuracy"):
        plots.plot_capacity(_capacity(), metric="accuracy")


# ---- tracegrad.overfitting ---------------------------------------------------------------------------
def test_noisy_labels_changes_exactly_the_fraction_to_other_classes():
    y = np.arange(1000) % 10
    z = overfitting.noisy_labels(y, 0.2, 10, seed=4)
    assert (z != y).sum() == 200 and z.min() >= 0 and z.max() <= 9 and (y == np.arange(1000) % 10).all()
    assert (overfitting.noisy_labels(y, 0.2, 10, seed=4) == z).all()
    assert (overfitting.noisy_labels(y, 0.0, 10) == y).all()
    with pytest.raises(ValueError, match="fraction"):
        overfitting.noisy_labels(y, 1.5, 10)
    with pytest.raises(ValueError, match="0..4"):
        overfitting.noisy_labels(y, 0.1, 5)
    with pytest.raises(ValueError, match="integer"):
        overfitting.noisy_labels(y.astype(float), 0.1, 10)


def test_loaders_sizes_noise_and_clean_holdout():
    X, y = nn.data.load_mnist5k()
    tr, va, te = overfitting.loaders(100, label_noise=0.3, n_val=200, n_test=300, batch_size=25)
    assert (len(tr.dataset), len(va.dataset), len(te.dataset)) == (100, 200, 300) and len(tr) == 4
    clean = overfitting.loaders(100, n_val=200, n_test=300)[0].dataset.tensors
    noisy = tr.dataset.tensors
    assert (noisy[0].numpy() == clean[0].numpy()).all()  # the same images, 30 of their labels changed
    assert (noisy[1].numpy() != clean[1].numpy()).sum() == 30
    Xv, yv = (t.numpy() for t in va.dataset.tensors)
    match = (X[None, :50] == Xv[:5, None]).all(-1)  # the validation labels are the data set's own
    rows = match.argmax(1)
    assert all(yv[i] == y[r] for i, r in enumerate(rows) if match[i].any())
    with pytest.raises(ValueError, match="more than"):
        overfitting.loaders(3000, n_val=1500, n_test=1000)


def test_train_width_metrics():
    s = {"width": 4, "n_train": 60, "n_test": 50, "steps": 5}
    r = overfitting.train_width(s)
    assert r["params"] == (196 + 1) * 4 + (4 + 1) * 10 and r["threshold"] == 600 and r["width"] == 4
    assert 0 <= r["train_error"] <= 1 and 0 <= r["test_error"] <= 1 and r["train_loss"] > 0 and r["steps"] == 5
    again = overfitting.train_width(s)
    assert {k: v for k, v in again.items() if k != "seconds"} == {k: v for k, v in r.items() if k != "seconds"}
    ce = overfitting.train_width({**s, "loss": "ce", "pool": 4, "optimizer": "sgd", "lr": 0.1})
    assert ce["params"] == (49 + 1) * 4 + 50 and ce["train_loss"] > 0.1  # cross-entropy, not squared error
    X, y, Xt, yt, clean = overfitting.load({"n_train": 60, "n_test": 50, "label_noise": 0.5})
    assert X.shape == (60, 196) and Xt.shape == (50, 196) and (y != clean).sum() == 30
    for bad, match in (({"width": 0}, "width"), ({"loss": "hinge"}, "loss"), ({"pool": 3}, "pool"),
                       ({"optimizer": "lbfgs"}, "optimizer"), ({"n_train": 4000, "n_test": 2000}, "5000"),
                       ({"lr": -1}, "lr"), ({"depth": 2}, "unknown")):
        with pytest.raises(ValueError, match=match):
            overfitting.train_width({**s, **bad})


def test_capacity_sweep_in_process_and_through_run_sweep():
    s = {"n_train": 40, "n_test": 30, "steps": 3, "pool": 4}
    local = overfitting.capacity_sweep([8, 2], **s)
    assert [r["width"] for r in local] == [2, 8] and local[0]["params"] < local[1]["params"]
    parallel = overfitting.capacity_sweep([8, 2], workers=2, **s)
    for a, b in zip(local, parallel):
        assert {k: v for k, v in a.items() if k != "seconds"} == {k: v for k, v in b.items() if k != "seconds"}
    with pytest.raises(ValueError, match="distinct"):
        overfitting.capacity_sweep([2, 2], **s)
    with pytest.raises(ValueError, match="widths"):
        overfitting.capacity_sweep([2], width=3)


def test_double_descent_reads_the_curve():
    rows = [{"params": p, "width": i, "test_error": e}
            for i, (p, e) in enumerate(zip([1e3, 3e3, 1e4, 2e4, 1e5], [0.3, 0.25, 0.40, 0.30, 0.2]))]
    dd = overfitting.double_descent(rows, threshold=1e4)
    assert dd["double_descent"] and dd["below_classical"]
    assert dd["classical_min"]["params"] == 3e3 and dd["peak"]["params"] == 1e4 and dd["largest"]["params"] == 1e5
    monotone = [dict(r, test_error=e) for r, e in zip(rows, [0.5, 0.4, 0.3, 0.25, 0.2])]
    assert not overfitting.double_descent(monotone, threshold=1e4)["double_descent"]
    with pytest.raises(ValueError, match="threshold"):
        overfitting.double_descent(rows)
    with pytest.raises(ValueError, match="at least 3"):
        overfitting.double_descent(rows[:2], threshold=10)


def test_double_descent_margin_is_relative_to_the_classical_minimum():
    rows = [{"params": p, "test_loss": e} for p, e in zip([1e3, 3e3, 1e4, 1e5], [0.036, 0.036, 0.041, 0.029])]
    assert overfitting.double_descent(rows, key="test_loss", threshold=5e3)["double_descent"]  # +14 %, -30 %
    assert not overfitting.double_descent(rows, key="test_loss", threshold=5e3, margin=0.2)["double_descent"]


def test_blas_threads_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas():
        return [p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
    before = blas()
    with overfitting.blas_threads(1):
        assert all(n == 1 for n in blas())
    assert blas() == before
