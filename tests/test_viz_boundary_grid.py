"""viz.decision_boundary_grid (panels, titles with the accuracy, one legend, per-row data, Modules in eval mode),
viz.plot_weight_histograms, viz.unit_norms, viz.plot_unit_norms."""
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

import autograd
import nn
import viz


def halfplane(points):
    return (np.asarray(points)[:, 0] > 0).astype(np.int64)


def tilted(points):
    return (np.asarray(points)[:, 0] + np.asarray(points)[:, 1] > 0).astype(np.int64)


def test_grid_has_one_panel_per_classifier_with_its_accuracy_and_one_legend():
    X = np.asarray([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    y = np.asarray([0, 0, 1, 1])
    fig = viz.decision_boundary_grid([[halfplane, tilted], [tilted, halfplane]], X, y, row_labels=["a", "b"],
                                     col_labels=["first", "second"], resolution=20, title="T")
    assert isinstance(fig, Figure)
    axes = [ax for ax in fig.axes if ax.images]
    assert len(axes) == 4
    titles = [ax.get_title() for ax in axes]
    assert titles == ["first\ntrain acc 100.0%", "second\ntrain acc 75.0%", "first\ntrain acc 75.0%",
                      "second\ntrain acc 100.0%"]
    assert all(ax.get_legend() is None for ax in axes) and len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].texts] == ["class 0", "class 1", "decision boundary"]
    assert axes[0].get_ylabel().startswith("a\n") and axes[2].get_ylabel().startswith("b\n")
    assert axes[1].get_ylabel() == "" and axes[0].get_xlabel() == "" and axes[2].get_xlabel() == "$x_1$"
    assert fig._suptitle.get_text() == "T"
    assert axes[0].images[0].get_array().shape == (20, 20)


def test_grid_takes_one_data_set_per_row_and_modules_in_eval_mode():
    X1, y1 = nn.data.make_moons(40)
    X2, y2 = nn.data.make_circles(30)
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Dropout(0.9), nn.Linear(4, 2))
    model.train()
    fig = viz.decision_boundary_grid([[model], [model]], [X1, X2], [y1, y2], resolution=10)
    assert model.training  # the mode is put back
    axes = [ax for ax in fig.axes if ax.images]
    with autograd.no_grad():
        model.eval()
        acc = np.mean(model(autograd.Tensor(X2)).numpy().argmax(1) == y2)
    assert axes[1].get_title() == f"column 1\ntrain acc {acc:.1%}"
    points = [c for c in axes[1].collections if isinstance(c, PathCollection)]
    assert sum(len(c.get_offsets()) for c in points) == 30 and all(c.get_sizes()[0] == 9.0 for c in points)


@pytest.mark.parametrize("predicts, kw, match", [
    ([], {}, "non-empty list of rows"),
    ([[halfplane], [halfplane, tilted]], {}, "same number"),
    ([[halfplane]], {"row_labels": ["a", "b"]}, "row_labels has 2 entries for 1 rows"),
    ([[halfplane], [tilted]], {"X3": True}, "list of 3 data sets"),
    ([["nope"]], {}, "needs a classifier"),
])
def test_grid_refuses_bad_input(predicts, kw, match):
    X, y = nn.data.make_moons(10)
    if kw.pop("X3", False):
        X, y = [X, X, X], [y, y, y]
    with pytest.raises((ValueError, TypeError), match=match):
        viz.decision_boundary_grid(predicts, X, y, resolution=5, **kw)


def test_weight_histograms_count_the_near_zeros():
    rng = np.random.default_rng(0)
    sparse = np.concatenate([np.zeros(300), rng.normal(size=700) * 0.5, [5e-4, -5e-4]])
    dense = rng.normal(size=1002)
    fig = viz.plot_weight_histograms({"L1": autograd.Tensor(sparse), "none": dense}, bins=21)
    a, b = fig.axes
    assert a.get_title().startswith("L1\n|w| < 0.001: 30.1%") and "(exactly 0: 300)" in a.get_title()
    assert b.get_title().startswith("none\n")
    assert sum(p.get_height() for p in a.patches) == 1002 and a.get_yscale() == "log"
    assert a.get_xlim() == b.get_xlim() and a.get_xlabel() == "weight w" and "number" in a.get_ylabel()
    with pytest.raises(ValueError, match="non-empty dict"):
        viz.plot_weight_histograms({})
    with pytest.raises(ValueError, match="threshold"):
        viz.plot_weight_histograms({"a": dense}, threshold=0)


def test_unit_norms_are_what_max_norm_bounds():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 4)).astype(np.float32) * 3
    np.testing.assert_allclose(viz.unit_norms(w), np.linalg.norm(w, axis=1), rtol=1e-6)
    conv = rng.normal(size=(3, 2, 2, 2))
    np.testing.assert_allclose(viz.unit_norms(conv), np.linalg.norm(conv.reshape(3, -1), axis=1))
    np.testing.assert_allclose(viz.unit_norms(w, dim=1), np.linalg.norm(w, axis=0), rtol=1e-6)
    p = autograd.Tensor(w.copy())
    nn.utils.max_norm_([p], 1.0)
    assert viz.unit_norms(p).max() <= 1.0 + 1e-6
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        viz.unit_norms(np.ones(3))


def test_plot_unit_norms_draws_each_series_and_the_bound():
    w = np.asarray([[3.0, 4.0], [0.3, 0.4], [1.0, 0.0]])
    fig = viz.plot_unit_norms({"before": w, "after": w / 5}, max_norm=1.0, sort=True)
    ax = fig.axes[0]
    before, after = ax.get_lines()[:2]
    np.testing.assert_allclose(before.get_ydata(), [5.0, 1.0, 0.5])
    assert before.get_label() == "before (largest 5)" and after.get_label() == "after (largest 1)"
    assert ax.get_lines()[2].get_ydata()[0] == 1.0 and "c = 1" in ax.get_lines()[2].get_label()
    assert "sorted" in ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    with pytest.raises(ValueError, match="max_norm must be positive"):
        viz.plot_unit_norms({"a": w}, max_norm=-1)
