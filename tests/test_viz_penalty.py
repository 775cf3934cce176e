"""viz.plots_penalty: the L1 / L2 balls, the constrained minima and the regularisation paths, found with autograd."""
import numpy as np
import pytest

import autograd
import viz
from viz import plots_penalty as pp

C, H = np.array(pp.CENTER), np.array(pp.HESSIAN)


def loss(theta):
    d = np.asarray(theta) - C
    return 0.5 * np.einsum("...i,ij,...j->...", d, H, d)


def test_quadratic_loss_and_its_autograd_gradient():
    theta = autograd.tensor(np.array([0.3, -0.7]), requires_grad=True)
    out = pp.quadratic_loss(theta)
    out.backward()
    assert out.item() == pytest.approx(loss([0.3, -0.7]), abs=1e-15)
    np.testing.assert_allclose(theta.grad.numpy(), H @ (np.array([0.3, -0.7]) - C), atol=1e-15)


@pytest.mark.parametrize("dim", [2, 5])
def test_the_projections_are_the_nearest_points_of_the_balls(dim):
    rng = np.random.default_rng(dim)
    for project, norm in ((pp.project_l1_ball, 1), (pp.project_l2_ball, 2)):
        for _ in range(50):
            v, r = rng.normal(size=dim) * 2, rng.uniform(0.2, 2)
            p = project(v, r)
            assert np.linalg.norm(p, norm) <= r + 1e-12
            if np.linalg.norm(v, norm) <= r:
                np.testing.assert_array_equal(p, v)
            # a projection onto a convex set: (v - p)·(z - p) <= 0 for every z in the set
            z = rng.normal(size=(400, dim))
            z *= (r * rng.uniform(0, 1, size=(400, 1))) / np.linalg.norm(z, norm, axis=1, keepdims=True)
            assert ((z - p) @ (v - p)).max() <= 1e-12


def test_l1_constrained_minimum_sits_on_a_corner_l2s_on_the_circle():
    l1 = pp.constrained_minimum("l1", 1.0)
    assert l1[1] == 0.0 and l1[0] == pytest.approx(1.0, abs=1e-12)   # exactly sparse
    l2 = pp.constrained_minimum("l2", 1.0)
    a = np.linspace(0, 2 * np.pi, 200001)
    circle = np.stack([np.cos(a), np.sin(a)], axis=1)
    best = circle[np.argmin(loss(circle))]                            # brute force on the boundary
    np.testing.assert_allclose(l2, best, atol=1e-4)
    assert np.linalg.norm(l2) == pytest.approx(1.0, abs=1e-12) and (l2 > 0.1).all()  # not sparse


def test_regularisation_paths_match_closed_form_and_brute_force():
    lams = [0.0, 0.3, 1.0, 2.0, 3.0]
    l2 = pp.regularisation_path("l2", lams)
    for lam, row in zip(lams, l2):
        np.testing.assert_allclose(row, np.linalg.solve(H + 2 * lam * np.eye(2), H @ C), atol=1e-10)
    l1 = pp.regularisation_path("l1", lams)
    g = np.linspace(-0.5, 2.0, 1251)
    grid = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1)
    for lam, row in zip(lams, l1):
        obj = loss(grid) + lam * np.abs(grid).sum(-1)
        i, j = np.unravel_index(np.argmin(obj), obj.shape)
        np.testing.assert_allclose(row, grid[i, j], atol=3e-3)
    assert (l1[3:, 1] == 0.0).all() and (l2[:, 1] > 0).all()         # L1 zeroes θ₂ exactly; L2 only shrinks it


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="constrained_minimum: norm must be 'l1' or 'l2'"):
        pp.constrained_minimum("l3")
    with pytest.raises(ValueError, match="radius must be positive"):
        pp.constrained_minimum("l1", 0)
    with pytest.raises(ValueError, match="positive definite"):
        pp.constrained_minimum("l1", hessian=[[1, 0], [0, -1]])
    with pytest.raises(ValueError, match=r"center must have shape \(2,\)"):
        pp.regularisation_path("l1", [1.0], center=[1, 2, 3])
    with pytest.raises(ValueError, match="lambdas must be"):
        pp.regularisation_path("l2", [-1.0])


def test_plot_penalty_geometry_is_labelled():
    fig = viz.plot_penalty_geometry(lambdas=[0.0, 1.0, 2.0])
    axes = fig.axes
    assert len(axes) == 3 and all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    texts = [t.get_text() for ax in axes[:2] for t in ax.get_legend().get_texts()]
    assert "constrained minimum (1.000, 0.000)" in texts and any("diamond" in t for t in texts)
    assert len(axes[2].get_legend().get_texts()) == 4 and fig._suptitle.get_text().startswith("Graphical")
