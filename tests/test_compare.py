"""tracegrad.compare: several models trained the same way on the same batches, with parameters, accuracy, time,
monitors and trajectories side by side."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.utils.data import DataLoader, TensorDataset
from tracegrad.compare import EPOCHS, Comparison, compare_models, evaluate
from tracegrad.runs import DEFAULTS


def loaders(n: int = 90, seed: int = 0):
    X, y = nn.data.make_blobs(n, centers=3, std=0.6, seed=seed)
    X = X.astype(np.float32)
    return nn.data.loaders(X, y, 16, val=0.2, test=0.2, seed=seed)


def small():
    return nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))


def wide():
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))


def test_the_default_epochs_are_the_runs_default():
    assert EPOCHS == DEFAULTS["epochs"]


def test_same_start_same_batches_same_result():
    tr, va, te = loaders()
    cmp = compare_models({"a": small, "b": small, "c": wide}, tr, va, te, epochs=3, lr=0.01)
    a, b, c = cmp["a"], cmp["b"], cmp["c"]
    assert a.history["train_loss"] == b.history["train_loss"] and a.test_acc == b.test_acc
    for (k, p), (_, q) in zip(a.model.named_parameters(), b.model.named_parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=k)
    assert c.history["train_loss"] != a.history["train_loss"]
    assert a.params == 2 * 8 + 8 + 8 * 3 + 3 and c.params == 2 * 16 + 16 + 16 * 3 + 3
    assert [r["model"] for r in cmp.rows()] == ["a", "b", "c"]
    row = cmp.rows()[0]
    assert row["epochs"] == 3 and row["val_acc"] == a.history["val_acc"][-1] and row["seconds"] > 0
    assert 0 <= row["test_acc"] <= 1 and cmp.monitors == {} and cmp.trajectories == {}


def test_test_scores_match_a_direct_evaluation():
    tr, va, te = loaders()
    cmp = compare_models({"m": small}, tr, va, te, epochs=2, optimizer="momentum", lr=0.05)
    m = cmp["m"].model
    X = np.concatenate([x.numpy() for x, _ in te])
    y = np.concatenate([t.numpy() for _, t in te])
    out = m.eval()(Tensor(X))
    assert cmp["m"].test_acc == pytest.approx(float((out.numpy().argmax(1) == y).mean()))
    assert cmp["m"].test_loss == pytest.approx(float(nn.functional.cross_entropy(out, Tensor(y)).item()), rel=1e-5)
    assert evaluate(m, te) == pytest.approx((cmp["m"].test_loss, cmp["m"].test_acc))


def test_monitors_and_trajectories_when_asked():
    tr, va, te = loaders()
    cmp = compare_models({"a": small, "b": wide}, tr, va, epochs=2, monitor=True, trajectory=True)
    assert set(cmp.monitors) == {"a", "b"} and cmp["a"].test_acc is None and cmp["a"].test_loss is None
    assert cmp["a"].monitor.history["steps"] and not cmp["a"].monitor._handles  # detached after training
    assert [len(t) for t in cmp.trajectories.values()] == [3, 3]
    per_step = compare_models({"a": small}, tr, epochs=1, trajectory=2)
    assert len(per_step["a"].trajectory) == 1 + len(tr) // 2 + len(tr) % 2
    assert per_step.rows()[0]["val_acc"] is None


def test_a_ready_module_is_trained_as_given():
    tr, va, _ = loaders()
    model = small()
    before = model[0].weight.numpy().copy()
    cmp = compare_models({"given": model}, tr, va, epochs=1)
    assert cmp["given"].model is model and not np.array_equal(before, model[0].weight.numpy())


def test_table_and_plot_are_labelled():
    tr, va, te = loaders()
    cmp = compare_models({"small": small, "wide": wide}, tr, va, te, epochs=2)
    text = cmp.table()
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["model", "parameters", "epochs"] and len(lines) == 3
    assert lines[1].startswith("small") and "%" in lines[1] and str(cmp) == text
    fig = cmp.plot()
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epoch" and "accuracy (%)" in ax.get_ylabel() and ax.get_title()
    assert [t.get_text() for t in ax.get_legend().get_texts()][0].startswith("small (")
    assert max(ax.lines[0].get_ydata()) > 1  # percent
    loss = cmp.plot("train_loss").axes[0]
    assert "loss" in loss.get_ylabel() and max(loss.lines[0].get_ydata()) < 5
    with pytest.raises(ValueError, match="metric"):
        cmp.plot("accuracy")
    assert isinstance(cmp, Comparison)


@pytest.mark.parametrize("models, kwargs, error, message", [
    ({}, {}, ValueError, "non-empty"),
    ({"x": 3}, {}, TypeError, "models\\['x'\\]"),
    ({"x": lambda: "no"}, {}, TypeError, "returned str"),
    ({"x": small}, {"epochs": 0}, ValueError, "epochs"),
    ({"x": small}, {"optimizer": "lbfgs"}, ValueError, "unknown optimizer"),
    ({"x": small}, {"lr": -1}, ValueError, "lr"),
    ({"x": small}, {"trajectory": 0}, ValueError, "trajectory"),
])
def test_bad_settings_are_refused(models, kwargs, error, message):
    tr, _, _ = loaders()
    with pytest.raises(error, match=message):
        compare_models(models, tr, **kwargs)


def test_evaluate_needs_samples():
    empty = DataLoader(TensorDataset(np.zeros((0, 2), np.float32), np.zeros(0, np.int64)), batch_size=4)
    with pytest.raises(ValueError, match="no samples"):
        evaluate(small(), empty)
