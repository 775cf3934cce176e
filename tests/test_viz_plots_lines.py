"""viz.plots_lines: lines w·x + b = 0 clipped to a box, drawn onto a decision-boundary plot, and the shattering grid
of the VC-dimension slides (every labelling with its learnt line, or "no line exists")."""
import numpy as np
import pytest

import autograd
import nn
import viz
from nn import data
from viz.figures import save
from viz.plots_lines import line_segment, plot_lines, plot_shattering


# ---------------------------------------------------------------- line_segment

def test_line_segment_clips_to_the_box():
    seg = line_segment([1.0, 1.0], 0.0, (-1, 1), (-1, 1))  # x1 + x2 = 0: the anti-diagonal
    assert sorted(map(tuple, np.round(seg, 9))) == [(-1.0, 1.0), (1.0, -1.0)]
    seg = line_segment([0.0, 2.0], -1.0, (-3, 3), (-1, 1))  # x2 = 0.5, horizontal
    np.testing.assert_allclose(sorted(seg[:, 0]), [-3, 3])
    np.testing.assert_allclose(seg[:, 1], [0.5, 0.5])
    seg = line_segment([1.0, 0.0], 0.25, (-1, 1), (0, 2))  # x1 = -0.25, vertical
    np.testing.assert_allclose(seg[:, 0], [-0.25, -0.25])
    np.testing.assert_allclose(sorted(seg[:, 1]), [0, 2])


def test_line_segment_none_when_missing_the_box_or_no_line():
    assert line_segment([1.0, 0.0], -5.0, (-1, 1), (-1, 1)) is None  # x1 = 5
    assert line_segment([0.0, 0.0], 1.0, (-1, 1), (-1, 1)) is None  # w = 0: no line at all
    assert line_segment([1.0, 1.0], -2.0, (-1, 1), (-1, 1)) is None  # touches the corner (1, 1) only


def test_line_segment_points_lie_on_the_line():
    rng = np.random.default_rng(0)
    for _ in range(50):
        w, b = rng.normal(size=2), rng.normal() * 0.5
        seg = line_segment(w, b, (-1, 1), (-1, 1))
        if seg is not None:
            np.testing.assert_allclose(seg @ w + b, 0.0, atol=1e-9)
            assert np.all(np.abs(seg) <= 1 + 1e-9) and not np.allclose(seg[0], seg[1])


# ---------------------------------------------------------------- plot_lines

def test_plot_lines_adds_to_a_decision_boundary_legend(tmp_path):
    X, y = data.make_xor(80, seed=0)
    fig = viz.decision_boundary(lambda P: (P[:, 0] * P[:, 1] < 0).astype(int), X, y, resolution=40)
    ax = fig.axes[0]
    xlim = ax.get_xlim()
    layer = nn.Linear(2, 2)
    out = plot_lines(layer.weight, layer.bias, ax=ax, names=["unit 1", "unit 2"])
    assert out is fig and ax.get_xlim() == xlim  # the box is the plot's own
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["class 0", "class 1"]
    assert all(any(t.startswith(n) for t in texts) for n in ("unit 1", "unit 2"))
    png, svg = save(fig, tmp_path / "lines")
    assert open(png, "rb").read()[:4] == b"\x89PNG"


def test_plot_lines_draws_what_it_says_with_normals():
    fig = plot_lines(np.array([[1.0, -1.0], [0.0, 1.0]]), [0.0, -0.5], normals=True, title="two lines")
    ax = fig.axes[0]
    assert ax.get_title() == "two lines" and ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == (-2.0, 2.0)  # a new figure's default box
    drawn = [np.column_stack(line.get_data()) for line in ax.lines]
    assert len(drawn) == 2
    np.testing.assert_allclose(drawn[0] @ [1.0, -1.0], 0.0, atol=1e-9)
    np.testing.assert_allclose(drawn[1][:, 1], 0.5)
    arrows = [c for c in ax.texts]  # annotate arrows, one per line, pointing to w·x + b > 0
    assert len(arrows) == 2
    tip, tail = np.asarray(arrows[1].xy), np.asarray(arrows[1].xyann)
    assert tip[1] > tail[1]  # w = (0, 1): up


def test_plot_lines_lists_a_line_outside_the_box():
    fig = plot_lines([1.0, 0.0], 10.0, xlim=(0, 1), ylim=(0, 1), names=["far"])
    assert not fig.axes[0].lines
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["far (outside the plot)"]


def test_plot_lines_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"plot_lines: weight must have shape \(k, 2\)"):
        plot_lines(np.ones((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="plot_lines: bias must hold one value per row of weight"):
        plot_lines(np.ones((2, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="2 lines but 1 names"):
        plot_lines(np.ones((2, 2)), np.zeros(2), names=["a"])


# ---------------------------------------------------------------- plot_shattering

def _verdicts(fig):
    return [ax.get_title().split("\n")[1] for ax in fig.axes if ax.get_visible() and ax.get_title()]


def _perceptrons(vc, epochs=50):
    out = []
    for labels in vc.labellings:
        autograd.manual_seed(0)
        p = nn.Perceptron(2)
        p.fit(vc.points, labels, epochs=epochs)
        out.append(p)
    return out


def test_plot_shattering_three_points_all_found(tmp_path):
    vc = data.vc_points(3)
    fig = plot_shattering(vc.points, vc.labellings, _perceptrons(vc))
    assert _verdicts(fig) == ["line found"] * 8
    assert "8 realized by a line" in fig._suptitle.get_text()
    assert fig.axes[0].get_title().startswith("y = (0, 0, 0)")
    assert fig.legends and [t.get_text() for t in fig.legends[0].get_texts()][:2] == ["label 0", "label 1"]
    assert any(ax.get_xlabel() for ax in fig.axes) and any(ax.get_ylabel() for ax in fig.axes)
    png, _ = save(fig, tmp_path / "shatter3")
    assert open(png, "rb").read()[:4] == b"\x89PNG"


def test_plot_shattering_four_points_xor_fails():
    vc = data.vc_points(4)
    fig = plot_shattering(vc.points, vc.labellings, _perceptrons(vc), ncols=8)
    verdicts = _verdicts(fig)
    assert verdicts.count("line found") == 14
    failed = [tuple(row) for row, v in zip(vc.labellings, verdicts) if v == "no line exists"]
    assert failed == [(0, 1, 1, 0), (1, 0, 0, 1)]
    assert "14 realized by a line, 2 not separable" in fig._suptitle.get_text()
    assert len(fig.axes) == 16 and all(ax.get_visible() for ax in fig.axes)


def test_plot_shattering_verdicts_from_the_lines_themselves():
    P = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    Y = np.array([[0, 1, 1], [0, 1, 1], [0, 1, 1]])
    good = (np.array([1.0, 1.0]), -0.5)  # x1 + x2 > 0.5: realizes (0, 1, 1)
    bad = (np.array([-1.0, -1.0]), 0.5)  # the opposite half-plane
    fig = plot_shattering(P, Y, [good, bad, None], ncols=2, title="custom", titles=["a", "b", "c"])
    assert _verdicts(fig) == ["line found", "not found (a line exists)", "no line drawn"]
    assert [ax.get_title().split("\n")[0] for ax in fig.axes[:3]] == ["a", "b", "c"]
    assert fig._suptitle.get_text() == "custom"
    assert [ax.get_visible() for ax in fig.axes] == [True, True, True, False]  # 2 × 2 grid, last one empty
    wrong_rings = fig.axes[1].collections[-1]
    assert len(wrong_rings.get_offsets()) == 3  # all three points on the wrong side
    assert fig.axes[1].lines[0].get_linestyle() == "--" and fig.axes[0].lines[0].get_linestyle() == "-"


def test_plot_shattering_collinear_points_are_not_shattered():
    P = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0]])
    fig = plot_shattering(P, data.vc_points(3).labellings)  # no lines: the verdicts come from separability
    verdicts = _verdicts(fig)
    assert verdicts.count("no line exists") == 2 and verdicts.count("no line drawn") == 6


def test_plot_shattering_rejects_bad_input():
    P = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        plot_shattering(np.zeros((3, 3)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"labellings must have shape \(L, 3\)"):
        plot_shattering(P, np.zeros((2, 4)))
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        plot_shattering(P, np.full((1, 3), 2))
    with pytest.raises(ValueError, match="2 labellings but 1 lines"):
        plot_shattering(P, np.zeros((2, 3)), [None])
    with pytest.raises(ValueError, match="2 labellings but 1 titles"):
        plot_shattering(P, np.zeros((2, 3)), titles=["one"])
    with pytest.raises(ValueError, match="ncols must be a positive int"):
        plot_shattering(P, np.zeros((2, 3)), ncols=0)
    with pytest.raises(ValueError, match="lines\\[0\\] has 2 output units"):
        plot_shattering(P, np.zeros((1, 3)), [nn.Linear(2, 2)])
    with pytest.raises(TypeError, match="lines\\[0\\] must be a model with weight and bias"):
        plot_shattering(P, np.zeros((1, 3)), ["line"])
