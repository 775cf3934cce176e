"""viz.race and viz.surfaces: the optimizer race on 2-D test functions.

The trajectories must be exactly what running each optimizer by hand gives, so the hand-written loop below builds
its optimizers from torch.optim's spellings (not from the race's factories) and the comparison is np.array_equal.
"""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from PIL import Image

import autograd
import optim
from viz import figures
from viz.race import DEFAULT_LRS, GENERIC_LRS, METHODS, default_optimizers, optimizer_race
from viz.surfaces import SURFACES, Surface, get_surface

BY_HAND = {  # what the lecture's seven methods are, spelled out
    "SGD": lambda p, lr: optim.SGD(p, lr=lr),
    "Momentum": lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9),
    "NAG": lambda p, lr: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "Adagrad": lambda p, lr: optim.Adagrad(p, lr=lr),
    "Adadelta": lambda p, lr: optim.Adadelta(p, lr=lr),
    "RMSprop": lambda p, lr: optim.RMSprop(p, lr=lr),
    "Adam": lambda p, lr: optim.Adam(p, lr=lr),
}


def run_by_hand(fn, make, start, steps):
    """(trajectory (steps + 1, 2), losses (steps + 1,)) of the plain training loop."""
    x = autograd.tensor(start[0], dtype=autograd.float64, requires_grad=True)
    y = autograd.tensor(start[1], dtype=autograd.float64, requires_grad=True)
    opt = make([x, y])
    path, losses = [(x.item(), y.item())], []
    for _ in range(steps):
        opt.zero_grad()
        loss = fn(x, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        path.append((x.item(), y.item()))
    with autograd.no_grad():
        losses.append(fn(x, y).item())
    return np.array(path), np.array(losses)


def bowl(x, y):
    """A user's function: a tilted, stretched bowl."""
    return (x - 0.5) ** 2 + 4 * (y + 0.3) ** 2 + 0.5 * x * y


@pytest.fixture(scope="module")
def rosenbrock_race():
    return optimizer_race("rosenbrock", steps=60)


def test_surfaces_are_what_they_say():
    assert set(SURFACES) == {"rosenbrock", "beale", "saddle", "himmelblau"}
    for name, s in SURFACES.items():
        assert s.name == name and get_surface(name.upper()) is s
        (x0, x1), (y0, y1) = s.xlim, s.ylim
        for px, py in (s.start, *s.minima, *s.saddles):
            assert x0 <= px <= x1 and y0 <= py <= y1, (name, px, py)
        for px, py in s.minima:
            f = s(autograd.tensor(px, dtype=autograd.float64), autograd.tensor(py, dtype=autograd.float64)).item()
            assert abs(f) < 1e-8, (name, px, py, f)
    assert len(SURFACES["himmelblau"].minima) == 4 and SURFACES["saddle"].minima == ()
    assert SURFACES["rosenbrock"].log_scale and not SURFACES["saddle"].log_scale
    # autograd differentiates them: Rosenbrock's gradient by hand at the default start
    x = autograd.tensor(-1.5, dtype=autograd.float64, requires_grad=True)
    y = autograd.tensor(2.0, dtype=autograd.float64, requires_grad=True)
    SURFACES["rosenbrock"](x, y).backward()
    assert x.grad.item() == pytest.approx(-2 * 2.5 - 400 * -1.5 * (2.0 - 2.25))
    assert y.grad.item() == pytest.approx(200 * (2.0 - 2.25))


def test_seven_defaults_equal_direct_runs_on_rosenbrock(rosenbrock_race):
    race = rosenbrock_race
    assert list(race.trajectories) == list(METHODS) == list(race.losses)
    assert race.diverged == {} and not race.interrupted and race.steps == race.done == 60
    start = SURFACES["rosenbrock"].start
    for m in METHODS:
        path, losses = run_by_hand(SURFACES["rosenbrock"], lambda p: BY_HAND[m](p, DEFAULT_LRS["rosenbrock"][m]),
                                   start, 60)
        traj = race.trajectories[m]
        assert traj.shape == (61, 2) and traj.dtype == np.float64 and race.losses[m].shape == (61,)
        assert tuple(traj[0]) == start
        assert np.array_equal(traj, path), m
        assert np.array_equal(race.losses[m], losses), m
        assert race.losses[m][-1] < race.losses[m][0], f"{m} made no progress"


def test_user_function_equals_direct_runs():
    custom = {"Adam 0.1": lambda p: optim.Adam(p, lr=0.1), "NAG": lambda p: optim.SGD(p, lr=0.02, momentum=0.9,
                                                                                        nesterov=True)}
    race = optimizer_race(bowl, custom, start=(-1, 2), steps=40)
    assert race.surface.name == "bowl" and race.surface.start == (-1.0, 2.0)
    for label, make in custom.items():
        path, losses = run_by_hand(bowl, make, (-1.0, 2.0), 40)
        assert np.array_equal(race.trajectories[label], path) and np.array_equal(race.losses[label], losses)
    # a user function gets the generic learning rates, even under a built-in surface's name
    race = optimizer_race(Surface("rosenbrock", bowl, start=(1.0, 1.0), xlim=(), ylim=()), steps=25)
    for m in ("Momentum", "Adadelta"):
        path, _ = run_by_hand(bowl, lambda p: BY_HAND[m](p, GENERIC_LRS[m]), (1.0, 1.0), 25)
        assert np.array_equal(race.trajectories[m], path), m
    assert set(default_optimizers(bowl.__name__)) == set(METHODS)


@pytest.mark.parametrize("name", sorted(SURFACES))
def test_default_rates_make_progress_without_diverging(name):
    race = optimizer_race(name, steps=150)
    assert race.diverged == {}
    for m in METHODS:
        moved = np.linalg.norm(race.trajectories[m][-1] - race.trajectories[m][0])
        assert race.losses[m][-1] < race.losses[m][0] and moved > 0.1, (name, m)


@pytest.mark.parametrize("name, steps", [("himmelblau", 300), ("beale", 500)])
def test_adam_with_its_default_lr_reaches_a_minimum(name, steps):
    race = optimizer_race(name, {"Adam": default_optimizers(name)["Adam"]}, steps=steps)
    end = race.trajectories["Adam"][-1]
    assert min(math.dist(end, m) for m in SURFACES[name].minima) < 0.02
    assert race.losses["Adam"][-1] < 1e-4


def test_a_diverging_optimizer_is_reported_not_raised():
    race = optimizer_race("rosenbrock", {"SGD": lambda p: optim.SGD(p, lr=10),
                                         "Adam": lambda p: optim.Adam(p, lr=0.2)}, steps=30)
    assert set(race.diverged) == {"SGD"}
    k = race.diverged["SGD"]
    traj, losses = race.trajectories["SGD"], race.losses["SGD"]
    assert traj.shape == (31, 2) and 0 < k < 30
    assert np.isfinite(traj[:k]).all() and np.isnan(traj[k + 1:]).all() and np.isnan(losses[k + 1:]).all()
    assert not (np.isfinite(traj[k]).all() and np.isfinite(losses[k]))  # where it blew up
    path, _ = run_by_hand(SURFACES["rosenbrock"], lambda p: optim.Adam(p, lr=0.2), (-1.5, 2.0), 30)
    assert np.array_equal(race.trajectories["Adam"], path)  # the other run went on
    assert race.plot() is not None and race.plot_losses() is not None  # nor does drawing a diverged run


def test_plot_and_plot_losses_write_png_and_svg(tmp_path, rosenbrock_race):
    fig = rosenbrock_race.plot()
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x", "y") and "rosenbrock" in ax.get_title()
    assert any(a.get_ylabel() == "f(x, y)" for a in fig.axes[1:]), "no colour bar labelled f(x, y)"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {"start", "minimum"} <= set(legend) and any(t.startswith("Adam: f = ") for t in legend)
    for base, f in (("race", fig), ("losses", rosenbrock_race.plot_losses())):
        png, svg = figures.save(f, tmp_path / base)
        assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n" and (tmp_path / f"{base}.png").stat().st_size > 5000
        assert "<svg" in open(svg, encoding="utf-8").read()
    assert "f(x, y)" in (tmp_path / "race.svg").read_text(encoding="utf-8")
    assert rosenbrock_race.plot_losses().axes[0].get_yscale() == "log"


def test_animate_writes_a_gif(tmp_path):
    race = optimizer_race("himmelblau", steps=30)
    out = race.animate(tmp_path / "race.gif", dpi=40, max_frames=8)
    assert out == str(tmp_path / "race.gif")
    with Image.open(out) as im:
        assert im.format == "GIF" and 1 < im.n_frames <= 8
    assert [p.name for p in tmp_path.iterdir()] == ["race.gif"], "a temporary file was left behind"


def test_page_is_offline_and_holds_the_trajectories(tmp_path, rosenbrock_race):
    page = rosenbrock_race.page()
    doc = page.html
    assert "http://" not in doc and "https://" not in doc
    assert not re.search(r"<script[^>]*\bsrc\s*=|<link\b", doc, re.I)
    assert "<svg" in doc and 'type="range"' in doc and "race-play" in doc
    data = json.loads(re.search(r'<script type="application/json" id="race-data">(.*?)</script>', doc, re.S)[1])
    assert [r["label"] for r in data["runs"]] == list(METHODS)
    for run in data["runs"]:
        assert np.array_equal(np.array(run["path"]), rosenbrock_race.trajectories[run["label"]])
    assert page.save(tmp_path / "race.html").read_text(encoding="utf-8") == doc


def test_ctrl_c_keeps_the_steps_so_far():
    calls = {"n": 0}

    def flaky(x, y):  # Ctrl-C in the middle of step 6 (two runs: calls 1-10 are steps 1-5)
        calls["n"] += 1
        if calls["n"] == 12:
            raise KeyboardInterrupt
        return bowl(x, y)

    opts = {"SGD": lambda p: optim.SGD(p, lr=0.05), "Adam": lambda p: optim.Adam(p, lr=0.1)}
    with pytest.warns(RuntimeWarning, match="interrupted after 5 of 50"):
        race = optimizer_race(flaky, opts, start=(1, 1), steps=50)
    assert race.interrupted and race.done == 5 and race.steps == 50
    for label, make in opts.items():
        path, losses = run_by_hand(bowl, make, (1.0, 1.0), 5)
        assert race.trajectories[label].shape == (6, 2) and np.array_equal(race.trajectories[label], path)
        assert np.array_equal(race.losses[label], losses)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"unknown surface 'rosenbrok'.*beale, himmelblau, rosenbrock, saddle"):
        optimizer_race("rosenbrok")
    with pytest.raises(TypeError, match="fn must be"):
        optimizer_race(42)
    with pytest.raises(ValueError, match="steps must be at least 1"):
        optimizer_race("beale", steps=0)
    with pytest.raises(TypeError, match="steps must be an integer"):
        optimizer_race("beale", steps=2.5)
    for bad in ("ab", (1.0,), (1, 2, 3), (1, "x"), (math.nan, 0), 3, (True, 1)):
        with pytest.raises(ValueError, match="start must be two"):
            optimizer_race("beale", start=bad)
    with pytest.raises(TypeError, match=r"optimizers\['bad'\] must return an optim.Optimizer, got list"):
        optimizer_race("beale", {"bad": lambda p: list(p)})
    with pytest.raises(TypeError, match=r"optimizers\['lr'\] must be a factory"):
        optimizer_race("beale", {"lr": 0.1})
    with pytest.raises(TypeError, match="optimizers must be a dict"):
        optimizer_race("beale", [lambda p: optim.SGD(p, lr=0.1)])
    with pytest.raises(ValueError, match="optimizers is empty"):
        optimizer_race("beale", {})
    with pytest.raises(TypeError, match="fn must return a Tensor"):
        optimizer_race(lambda x, y: 1.0, steps=2)


def test_one_step_and_names_in_any_case():
    race = optimizer_race("Saddle", steps=1)
    assert race.surface is SURFACES["saddle"]
    assert all(t.shape == (2, 2) for t in race.trajectories.values())
    assert all(np.isfinite(v).all() for v in race.losses.values())
