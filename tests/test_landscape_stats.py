"""viz.landscape_stats: principal curvatures and summary numbers of a loss landscape (checked on surfaces whose
Hessian is known exactly), its curvature map, and the TrajectoryRecorder callback that feeds PCA landscapes."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import nn
import optim
from autograd.utils.data import DataLoader, TensorDataset
from viz import TrajectoryRecorder, landscape_curvature, landscape_stats, loss_landscape, plot_curvature
from viz.landscape import Landscape

F = nn.functional
ROOT = pathlib.Path(__file__).resolve().parents[1]


def surface(fn, steps: int = 9, span: float = 1.0, dims: int = 2) -> Landscape:
    g = np.linspace(-span, span, steps)
    if dims == 1:
        z = fn(g)
        return Landscape(losses=z, alphas=g, betas=None, origin_loss=float(fn(np.array(0.0))), dims=1, span=span)
    a, b = np.meshgrid(g, g, indexing="ij")
    return Landscape(losses=fn(a, b), alphas=g, betas=g.copy(), origin_loss=float(fn(np.array(0.0), np.array(0.0))),
                     dims=2, span=span)


def test_curvatures_of_quadratics_are_their_hessian_eigenvalues():
    # a finite difference is exact on a quadratic: a² + ab + b² has Hessian [[2, 1], [1, 2]], eigenvalues 1 and 3
    lo, hi = landscape_curvature(surface(lambda a, b: a ** 2 + a * b + b ** 2 + 0.5))
    assert lo.shape == hi.shape == (7, 7)
    np.testing.assert_allclose(lo, 1.0, atol=1e-9)
    np.testing.assert_allclose(hi, 3.0, atol=1e-9)
    lo, hi = landscape_curvature(surface(lambda a, b: a ** 2 - 3 * b ** 2))  # a saddle
    np.testing.assert_allclose(lo, -6.0, atol=1e-9)
    np.testing.assert_allclose(hi, 2.0, atol=1e-9)
    lo, hi = landscape_curvature(surface(lambda a: 2 * a ** 2 - a, dims=1))
    np.testing.assert_allclose(lo, 4.0, atol=1e-9)
    np.testing.assert_array_equal(lo, hi)


def test_stats_of_a_convex_bowl_and_of_a_saddle():
    bowl = landscape_stats(surface(lambda a, b: a ** 2 + 2 * b ** 2 + 1.0))
    assert bowl["local_minima"] == 1 and bowl["origin_loss"] == bowl["min_loss"] == 1.0
    assert bowl["nonconvex_fraction"] == bowl["nonconvex_fraction_near"] == bowl["mean_nonconvexity"] == 0.0
    assert bowl["roughness"] is None and bowl["max_loss"] == 4.0
    g = np.linspace(-1, 1, 9)
    a, b = np.meshgrid(g, g, indexing="ij")
    within = np.hypot(a, b) <= 0.5
    assert bowl["mean_rise"] == pytest.approx(np.mean(a[within] ** 2 + 2 * b[within] ** 2))
    saddle = landscape_stats(surface(lambda a, b: a ** 2 - b ** 2))
    assert saddle["nonconvex_fraction"] == 1.0 and saddle["mean_nonconvexity"] == pytest.approx(1.0)


def test_saddle_border_minima_and_rough_curves():
    saddle = landscape_stats(surface(lambda a, b: a ** 2 - b ** 2, steps=9))
    assert saddle["local_minima"] == 2  # (0, -1) and (0, 1): below all their neighbours, on the grid's border
    smooth = landscape_stats(surface(lambda a: a ** 2, dims=1, steps=21))
    assert smooth["roughness"] == pytest.approx(1.0) and smooth["local_minima"] == 1
    wiggly = landscape_stats(surface(lambda a: a ** 2 + 0.2 * np.cos(12 * a), dims=1, steps=41))
    assert wiggly["roughness"] > 1.5 and wiggly["local_minima"] >= 3 and wiggly["nonconvex_fraction"] > 0.2
    near = landscape_stats(surface(lambda a: np.where(np.abs(a) < 0.5, a ** 2, 0.25 + 0.1 * np.sin(20 * a)),
                                   dims=1, steps=41), radius=0.4)
    assert near["nonconvex_fraction_near"] == 0.0 and near["nonconvex_fraction"] > 0.2


def test_non_finite_losses_are_skipped_not_propagated():
    land = surface(lambda a, b: a ** 2 + b ** 2)
    land.losses[0, 0] = np.inf
    land.losses[4, 6] = np.nan
    s = landscape_stats(land)
    assert np.isfinite(s["max_loss"]) and np.isfinite(s["mean_nonconvexity"]) and s["local_minima"] == 1
    lo, _ = landscape_curvature(land)
    assert np.isnan(lo[3, 5]) and np.isfinite(lo[3, 3])


@pytest.mark.parametrize("kwargs, message", [({"threshold": 1.5}, "threshold"), ({"radius": 0}, "radius"),
                                             ({"radius": "x"}, "radius")])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        landscape_stats(surface(lambda a, b: a * b), **kwargs)


def test_too_small_or_foreign_inputs_are_refused():
    with pytest.raises(ValueError, match="at least 3 grid points"):
        landscape_curvature(surface(lambda a, b: a * b, steps=2))
    with pytest.raises(ValueError, match="expected a Landscape"):
        landscape_stats(object())
    with pytest.raises(ValueError, match="dims=1"):
        plot_curvature({"line": surface(lambda a: a ** 2, dims=1)})
    with pytest.raises(ValueError, match="non-empty"):
        plot_curvature({})


def test_curvature_map_shares_one_scale_and_is_labelled():
    fig = plot_curvature({"bowl": surface(lambda a, b: a ** 2 + b ** 2), "saddle": surface(lambda a, b: a * b)})
    axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert len(axes) == 2 and len(fig.axes) == 3
    assert axes[0].get_title().startswith("bowl: 0%") and axes[1].get_title().startswith("saddle: 100%")
    assert all(ax.get_xlabel().startswith("α") and ax.get_ylabel().startswith("β") for ax in axes)
    meshes = [ax.collections[0] for ax in axes]
    assert all(m.get_clim() == (0.0, 1.0) for m in meshes)
    assert "non-convexity" in fig.axes[-1].get_ylabel() and fig.get_suptitle()
    single = plot_curvature(surface(lambda a, b: a ** 2 + b ** 2))
    assert single.axes[0].get_title().startswith("0%")


# ---- TrajectoryRecorder -------------------------------------------------------------------------------------------
def setup(n: int = 48):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True, generator=np.random.default_rng(0))
    model = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2))
    return model, loader, (x, y)


def test_recorder_keeps_copies_per_epoch_buffers_included():
    model, loader, (x, y) = setup()
    rec = TrajectoryRecorder()
    nn.Trainer(model, optim.SGD(model.parameters(), lr=0.1), callbacks=[rec], progress=False).fit(loader, epochs=3)
    assert len(rec.trajectory) == 4 and rec.steps == [0, 3, 6, 9]
    final = model.state_dict()
    assert set(rec.trajectory[0]) == set(final) and "1.running_mean" in final
    for k, v in final.items():
        np.testing.assert_array_equal(rec.trajectory[-1][k], v.numpy())
        assert rec.trajectory[-1][k] is not v.numpy()
    assert not np.array_equal(rec.trajectory[0]["0.weight"], rec.trajectory[-1]["0.weight"])
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=3, directions="pca", trajectory=rec.trajectory)
    assert land.trajectory_coords.shape == (4, 2) and land.trajectory_residuals[-1] == 0.0


def test_recorder_every_k_steps_ends_with_the_final_weights():
    model, loader, _ = setup()
    rec = TrajectoryRecorder(model, every=2)
    nn.Trainer(model, optim.SGD(model.parameters(), lr=0.1), callbacks=[rec], progress=False).fit(loader, epochs=3)
    assert rec.steps == [0, 2, 4, 6, 8, 9]
    rec.record()  # by hand: one more point, same step
    assert rec.steps[-2:] == [9, 9] and len(rec.trajectory) == 7


@pytest.mark.parametrize("every", [0, -1, 1.5, True, "2"])
def test_recorder_refuses_a_bad_interval(every):
    with pytest.raises(ValueError, match="every"):
        TrajectoryRecorder(every=every)


def test_recorder_without_a_model_says_so():
    with pytest.raises(ValueError, match="no model"):
        TrajectoryRecorder().record()


@pytest.mark.parametrize("fast, steps", [("1", 5), ("0", 19)])
def test_default_grid_shrinks_in_fast_mode(fast, steps):
    env = {**os.environ, "TRACEGRAD_FAST": fast}
    out = subprocess.run([sys.executable, "-c", "import viz.landscape as L; print(L.STEPS)"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert int(out) == steps


def test_auto_span_holds_the_trajectory():
    model, loader, (x, y) = setup()
    rec = TrajectoryRecorder()
    nn.Trainer(model, optim.SGD(model.parameters(), lr=0.1), callbacks=[rec], progress=False).fit(loader, epochs=3)
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=3, directions="pca", trajectory=rec.trajectory,
                          span="auto")
    assert land.span == pytest.approx(1.2 * np.abs(land.trajectory_coords).max())
    assert land.alphas[-1] == pytest.approx(land.span)
    with pytest.raises(ValueError, match="trajectory="):
        loss_landscape(model, F.cross_entropy, (x, y), steps=3, span="auto")
    with pytest.raises(ValueError, match="'auto'"):
        loss_landscape(model, F.cross_entropy, (x, y), steps=3, span="wide")


def test_a_quiet_progress_bar_imports_no_tqdm():
    code = ("import sys, viz.figures as f\n"
            "with f.progress(3, 'x') as bar:\n    bar.update(1); bar.set_postfix(a=1)\n"
            "print('tqdm.auto' in sys.modules, type(bar).__name__)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "SilentBar"] and "IProgress" not in out.stderr
