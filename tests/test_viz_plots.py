"""viz.plots: decision regions, the activation table, training history, model capacity, weight images.

Each figure is saved as PNG + SVG (real files, parsed back) and its drawn data is read back from the axes."""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import autograd
import nn
import optim
import viz
from autograd import Tensor
from viz import plots
from viz.figures import figure, save


def _saved(fig, tmp_path, name):
    png, svg = save(fig, tmp_path / name)
    data = open(png, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 20


def _region_at(fig, point):
    """The class index the region image shows at ``point`` (x₁, x₂)."""
    image = fig.axes[0].images[0]
    grid = np.asarray(image.get_array())
    x0, x1, y0, y1 = image.get_extent()
    col = int((point[0] - x0) / (x1 - x0) * grid.shape[1])
    row = int((point[1] - y0) / (y1 - y0) * grid.shape[0])
    return int(grid[row, col])


def _blobs(rng, centres, n=40, scale=0.4):
    X = np.concatenate([rng.normal(c, scale, (n, 2)) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n)


# ---------------------------------------------------------------- decision_boundary

def test_decision_boundary_labels_saves_and_regions_agree(tmp_path, rng):
    X, y = _blobs(rng, [(-2, -2), (2, 2)])
    calls = []

    def predict(P):
        calls.append(P.shape)
        assert P.dtype == np.float64 and P.shape[1] == 2
        return (P.sum(axis=1) > 0).astype(int)

    fig = plots.decision_boundary(predict, X, y, resolution=120, chunk_size=1000, classes=["neg", "pos"])
    _saved(fig, tmp_path, "labels")
    assert max(n for n, _ in calls) <= 1000  # evaluated in bounded chunks
    assert _region_at(fig, (-2.5, -2.5)) == 0 and _region_at(fig, (2.5, 2.5)) == 1
    ax = fig.axes[0]
    assert ax.get_title().startswith("Decision regions") and "100.0%" in ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["neg", "pos", "decision boundary"]
    assert ax.collections  # boundary contour and points


def test_decision_boundary_scores_three_classes_and_tensor_input(rng):
    centres = np.array([(-3.0, 0.0), (3.0, 0.0), (0.0, 4.0)])
    X, y = _blobs(rng, centres)

    def scores(P):  # (M, 3): minus the distance to each centre, as a Tensor
        return Tensor(-np.linalg.norm(P[:, None, :] - centres[None], axis=-1))

    fig = plots.decision_boundary(scores, Tensor(X), Tensor(y), resolution=90)
    for k, c in enumerate(centres):
        assert _region_at(fig, c) == k
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:3] == ["class 0", "class 1", "class 2"]


def test_decision_boundary_single_column_probabilities_and_logits(rng):
    X, y = _blobs(rng, [(-2, 0), (2, 0)])
    prob = plots.decision_boundary(lambda P: 1 / (1 + np.exp(-(P[:, :1] - 1.0))), X, y, resolution=200)
    logit = plots.decision_boundary(lambda P: P[:, 0] * 2.0, X, y, resolution=200)  # (M,) non-integer scores
    # probabilities: threshold 0.5 → boundary at x₁ = 1; logits: threshold 0 → boundary at x₁ = 0
    assert _region_at(prob, (0.5, 0.0)) == 0 and _region_at(prob, (1.5, 0.0)) == 1
    assert _region_at(logit, (-0.5, 0.0)) == 0 and _region_at(logit, (0.5, 0.0)) == 1


def test_decision_boundary_scores_map_to_signed_labels(rng):
    X, y01 = _blobs(rng, [(-2, 0), (2, 0)])
    y = np.where(y01 == 1, 1, -1)
    fig = plots.decision_boundary(lambda P: np.column_stack([-P[:, 0], P[:, 0]]), X, y, resolution=60)
    assert "100.0%" in fig.axes[0].get_title()  # column 0 → label −1, column 1 → label +1
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2] == ["class -1", "class 1"]


def test_decision_boundary_tracegrad_mlp(tmp_path, rng):
    X, y = _blobs(rng, [(-1.5, -1.5), (1.5, 1.5), (-1.5, 1.5)], n=30)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.05)
    xt, yt = Tensor(X.astype(np.float32)), Tensor(y)
    for _ in range(80):
        opt.zero_grad()
        nn.functional.cross_entropy(model(xt), yt).backward()
        opt.step()

    def predict(P):
        return model(Tensor(P.astype(np.float32)))

    fig = plots.decision_boundary(predict, X, y, resolution=80, title="MLP")
    _saved(fig, tmp_path, "mlp")
    with autograd.no_grad():
        for c in [(-2.5, -2.5), (2.5, 2.5), (-2.5, 2.5)]:
            expected = int(np.argmax(predict(np.array([c])).numpy()))
            assert _region_at(fig, c) == expected
    assert fig.axes[0].get_title().startswith("MLP")


def test_decision_boundary_knn_into_given_axes(rng):
    X, y = _blobs(rng, [(-1, 0), (1, 0)], n=40, scale=1.0)

    def knn(k):
        def predict(P):
            d = ((P[:, None, :] - X[None]) ** 2).sum(-1)
            return (y[np.argsort(d, axis=1)[:, :k]].mean(axis=1) > 0.5).astype(int)
        return predict

    fig, axes = figure(1, 3)
    for ax, k in zip(axes, (1, 3, 29)):
        assert plots.decision_boundary(knn(k), X, y, ax, resolution=50, title=f"k = {k}") is fig
    assert "100.0%" in axes[0].get_title()  # k = 1 remembers every training point
    assert all(ax.images for ax in axes)


def test_decision_boundary_errors(rng):
    X, y = _blobs(rng, [(0, 0)], n=5)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.decision_boundary(lambda P: P[:, 0], np.zeros((5, 3)), y)
    with pytest.raises(ValueError, match="same number"):
        plots.decision_boundary(lambda P: P[:, 0], X, y[:3])
    with pytest.raises(ValueError, match="predict returned shape"):
        plots.decision_boundary(lambda P: np.zeros(3), X, y, resolution=10)


# ---------------------------------------------------------------- plot_activations

def _curves(ax):
    """(z, f) and (z, f′) as drawn (NaN where a curve is broken at a jump)."""
    lines = {ln.get_label(): ln for ln in ax.lines}
    return [(np.asarray(lines[k].get_xdata(), float), np.asarray(lines[k].get_ydata(), float))
            for k in ("f(z)", "f′(z)")]


def test_plot_activations_whole_table():
    fig = plots.plot_activations()
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == list(nn.ACTIVATIONS)
    for ax in fig.axes:
        assert ax.get_xlabel().startswith("z")
        for z, v in _curves(ax):
            ok = np.isfinite(z)
            assert z[ok].min() == -4.0 and z[ok].max() == 4.0 and ok.sum() == 801
            assert np.array_equal(ok, np.isfinite(v))  # gaps only where a curve jumps
    assert {t.get_text() for t in fig.legends[0].get_texts()} == {"f(z)", "f′(z)"}
    assert fig.get_suptitle()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "softmax"])
def test_plot_activations_derivative_matches_finite_differences(name):
    fig = plots.plot_activations([name])
    (z, f), (zd, df) = _curves(fig.axes[0])
    assert np.isfinite(f).all() and np.array_equal(z, zd)  # smooth: the curves are never broken
    np.testing.assert_allclose(np.gradient(f, z)[1:-1], df[1:-1], atol=2e-4)


def test_plot_activations_kinks_and_steps(tmp_path):
    fig = plots.plot_activations(["relu", "heaviside"], x=np.linspace(-2, 2, 41))
    _saved(fig, tmp_path, "activations")
    relu, step = fig.axes
    (z, f), (zd, df) = _curves(relu)
    assert np.isfinite(f).all()
    assert df[zd == 0.0][0] == 0.0  # autograd's choice at the kink
    assert np.isnan(df).sum() == 1  # the derivative's jump is a gap, not a steep line
    (z, f), (zd, df) = _curves(step)
    assert np.all(df == 0.0) and np.isnan(f).sum() == 2
    dots = [ln for ln in step.lines if ln.get_marker() == "o"]
    assert dots and list(dots[0].get_xydata()[0]) == [0.0, 0.5]  # H(0) = ½ alone between the jumps


def test_plot_activations_unknown_name():
    with pytest.raises(ValueError, match="known: .*sigmoid"):
        plots.plot_activations(["sigmoid", "swish"])


# ---------------------------------------------------------------- plot_history

def _stop_x(fig):
    xs = {ln.get_xdata()[0] for ax in fig.axes for ln in ax.lines if ln.get_gid() == "early-stopping"}
    assert len(xs) == 1
    return xs.pop()


def _history(rng, n=25):
    t = np.arange(n)
    val = 1.0 / (1 + t) + 0.002 * (t - 9) ** 2 + rng.normal(0, 1e-3, n)
    train = 1.0 / (1 + t)
    return {"train_loss": list(train), "val_loss": list(val), "train_acc": list(1 - train / 2),
            "val_acc": list(1 - val / 2)}


def test_plot_history_dict_and_list_forms(tmp_path, rng):
    h = _history(rng)
    fig = plots.plot_history(h)
    _saved(fig, tmp_path, "history")
    assert _stop_x(fig) == int(np.argmin(h["val_loss"])) + 1  # epochs are numbered from 1
    assert [ax.get_title() for ax in fig.axes] == ["Loss", "Accuracy"]
    assert all(ax.get_xlabel() == "epoch" and ax.get_legend() for ax in fig.axes)
    rows = [dict(zip(h, vals)) for vals in zip(*h.values())]
    assert _stop_x(plots.plot_history(rows)) == _stop_x(fig)
    assert _stop_x(plots.plot_history({**h, "best_epoch": 7})) == 7


def test_plot_history_partial_and_into_axes(rng):
    h = _history(rng)
    only_loss = plots.plot_history({"train_loss": h["train_loss"], "val_loss": h["val_loss"]})
    assert len(only_loss.axes) == 1
    only_acc = plots.plot_history({"train_acc": h["train_acc"]})
    assert len(only_acc.axes) == 1 and not [ln for ln in only_acc.axes[0].lines if ln.get_gid() == "early-stopping"]
    fig, ax = figure()
    assert plots.plot_history(h, ax) is fig and len(fig.axes) == 2  # accuracy on a twin axis
    fig2, axes = figure(1, 2)
    assert plots.plot_history(h, axes) is fig2


def test_plot_history_errors():
    with pytest.raises(ValueError, match="empty"):
        plots.plot_history({"train_loss": [], "val_loss": []})
    with pytest.raises(ValueError, match="no known series"):
        plots.plot_history({"loss": [1.0, 0.5]})
    with pytest.raises(ValueError, match="no known series"):
        plots.plot_history([])
    with pytest.raises(TypeError):
        plots.plot_history(3.0)


# ---------------------------------------------------------------- plot_capacity

def _capacity_results():
    sizes = [100, 300, 1000, 3000, 10_000, 30_000, 100_000]
    train = [0.30, 0.20, 0.10, 0.02, 0.0005, 0.0, 0.0]
    test = [0.35, 0.25, 0.22, 0.30, 0.45, 0.25, 0.18]
    return [{"params": p, "train_error": a, "test_error": b} for p, a, b in zip(sizes, train, test)]


def test_plot_capacity_threshold(tmp_path):
    results = _capacity_results()[::-1]  # any order: sorted by size
    fig = plots.plot_capacity(results)
    _saved(fig, tmp_path, "capacity")
    ax = fig.axes[0]
    marks = [ln for ln in ax.lines if ln.get_label() == "interpolation threshold"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 10_000
    assert ax.get_xscale() == "log" and "log" in ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    train = next(ln for ln in ax.lines if ln.get_label() == "train error")
    assert list(train.get_xdata()) == sorted(r["params"] for r in results)
    texts = {t.get_text() for t in ax.texts}
    assert {"under-fitting", "over-fitting"} <= texts


def test_plot_capacity_no_threshold_and_linear(rng):
    results = [{"params": p, "train_error": 0.1, "test_error": 0.2} for p in (10, 20, 40)]
    fig, ax = figure()
    assert plots.plot_capacity(results, ax, log_x=False) is fig
    assert ax.get_xscale() == "linear" and not [ln for ln in ax.lines if ln.get_label() == "interpolation threshold"]


def test_plot_capacity_errors():
    with pytest.raises(ValueError):
        plots.plot_capacity([])
    with pytest.raises(ValueError, match="params"):
        plots.plot_capacity([{"train_error": 0.1}])
    with pytest.raises(ValueError, match="positive"):
        plots.plot_capacity([{"params": 0, "train_error": 0.1}])


# ---------------------------------------------------------------- plot_weight_images

def test_plot_weight_images_both_layouts(tmp_path, rng):
    w = rng.normal(0, 1, (6, 12 * 10))  # nn.Linear's (C, H·W), images 12 high and 10 wide
    w[3, 5] = -10.0  # the largest magnitude is negative: the scale is still symmetric
    fig = plots.plot_weight_images(w, (12, 10), ncols=4)
    _saved(fig, tmp_path, "weights")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 6 and len(fig.axes) == 7  # one per class, and the one colour bar
    assert [ax.get_title() for ax in panels] == [str(i) for i in range(6)]
    for ax in panels:
        assert ax.images[0].get_clim() == (-10.0, 10.0) and not ax.get_xticks().size and not ax.get_yticks().size
    np.testing.assert_array_equal(panels[3].images[0].get_array(), w[3].reshape(12, 10))
    transposed = plots.plot_weight_images(Tensor(w.T), (12, 10), classes=list("abcdef"))  # the lecture's (H·W, C)
    panels_t = [ax for ax in transposed.axes if ax.images]
    assert [ax.get_title() for ax in panels_t] == list("abcdef")
    for a, b in zip(panels, panels_t):
        np.testing.assert_array_equal(a.images[0].get_array(), b.images[0].get_array())


def test_plot_weight_images_errors(rng):
    with pytest.raises(ValueError, match="does not fit"):
        plots.plot_weight_images(rng.normal(size=(10, 100)), (28, 28))
    with pytest.raises(ValueError, match="class names"):
        plots.plot_weight_images(rng.normal(size=(3, 4)), (2, 2), classes=["a"])


def test_activation_curve_gives_each_function_and_its_autograd_derivative():
    z = np.linspace(-6, 6, 121)
    f, df = viz.activation_curve("sigmoid", z)
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(f, s, rtol=0, atol=1e-7)          # float32 module, float64 curve
    np.testing.assert_allclose(df, s * (1 - s), rtol=0, atol=1e-7)
    f2, df2 = viz.activation_curve("softmax", z)                 # the two-class view: softmax([z, 0])[0] = σ(z)
    np.testing.assert_allclose(f2, f, atol=1e-7)
    np.testing.assert_allclose(df2, df, atol=1e-7)
    _, drelu = viz.activation_curve("relu", z)
    assert set(np.unique(drelu)) <= {0.0, 1.0} and drelu[z > 0].min() == 1 and drelu[z < 0].max() == 0
    fh, dh = viz.activation_curve("heaviside", z)
    assert not dh.any() and set(np.unique(fh)) <= {0.0, 0.5, 1.0}
    with pytest.raises(ValueError, match="activation_curve: unknown activation 'nope'.*sigmoid"):
        viz.activation_curve("nope", z)
