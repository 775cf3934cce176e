"""viz.monitor_plots: the plots that read a gradient-monitor history, checked on hand-built histories (no training):
layers in network order with the input at the bottom, log colour scales with unmeasured cells masked, one shared
scale in compare, the cumulative gain, PNG + SVG output, and clear errors."""
from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.colors import LogNorm, Normalize, to_rgba
from matplotlib.image import NonUniformImage

from viz import monitor_plots as mp
from viz.figures import figure, save

STEPS = [0, 2, 4, 6, 8]
THRESHOLDS = {"tanh_saturated": 0.97, "sigmoid_low": 0.02, "sigmoid_high": 0.98}


def history(n: int = 6, *, vanishing: bool = True, activations: bool = False, steps=STEPS, every: int = 2) -> dict:
    """``n`` Linear layers (an activation after each but the last with ``activations``). Vanishing: the gradient
    norm of parameter layer k (0 = input) is 10^-(n-1-k) at step 0 and halves every record; flat: all 1."""
    layers = []
    for k in range(n):
        layers.append({"name": str(len(layers)), "kind": "Linear", "role": "param"})
        if activations and k < n - 1:
            layers.append({"name": str(len(layers)), "kind": "Tanh", "role": "activation"})
    stats: dict[str, list] = {s: [] for s in mp.STATS}
    for r, _ in enumerate(steps):
        rec: dict[str, list] = {s: [] for s in mp.STATS}
        k = 0
        for layer in layers:
            param = layer["role"] == "param"
            g = (10.0 ** -(n - 1 - k) if vanishing else 1.0) * 0.5 ** r
            for s, v in (("grad_norm", g), ("grad_mean_abs", g / 10), ("grad_max_abs", g * 2), ("weight_norm", 3.0),
                         ("update_ratio", g / 100)):
                rec[s].append(v if param else None)
            for s, v in (("dead_frac", 0.0), ("saturated_frac", 0.5), ("out_mean", -0.1), ("out_std", 0.4)):
                rec[s].append(None if param else v)
            rec["gain"].append(0.5 if param else 0.8)
            rec["signal_norm"].append(g)
            k += param
        for s in stats:
            stats[s].append(rec[s])
    return {"version": 1, "every": every, "layers": layers, "steps": list(steps), "stats": stats,
            "thresholds": THRESHOLDS}


def colorbars(fig):
    return [a for a in fig.axes if a.get_label() == "<colorbar>"]


def test_heatmap_rows_are_layers_with_the_input_at_the_bottom():
    h = history()
    ax = mp.plot_heatmap(h).axes[0]
    img = ax.images[0]
    a = img.get_array()
    assert a.shape == (6, len(STEPS)) and img.origin == "lower"
    np.testing.assert_allclose(a[:, 0], [10.0 ** -(5 - k) for k in range(6)])  # row 0 = input layer = smallest
    np.testing.assert_allclose(a[0], [1e-5 * 0.5 ** r for r in range(len(STEPS))])
    lo, hi = ax.get_ylim()
    assert lo < hi  # y grows upwards: row 0 is drawn at the bottom
    ticks = {round(t): lab.get_text() for t, lab in zip(ax.get_yticks(), ax.get_yticklabels())}
    assert ticks[0] == "0 (Linear)" and ticks[5] == "5 (Linear)"
    x0, x1, _, _ = img.get_extent()  # real step numbers on x: each record one pixel wide, centred on its step
    assert (x0, x1) == (-1.0, 9.0)
    assert isinstance(img.norm, LogNorm)
    assert img.norm.vmin == pytest.approx(1e-5 * 0.5 ** 4) and img.norm.vmax == pytest.approx(1.0)
    [cb] = colorbars(ax.figure)
    assert cb.get_ylabel() == "gradient norm ‖∂L/∂w‖₂ (log scale)"
    assert ax.get_title() and "optimizer step" in ax.get_xlabel() and "input at the bottom" in ax.get_ylabel()


def test_heatmap_masks_unmeasured_and_non_positive_cells_in_grey():
    h = history()
    g = h["stats"]["grad_norm"]
    g[1][2], g[2][3], g[3][0], g[4][5] = None, math.nan, 0.0, -1.0
    img = mp.plot_heatmap(h).axes[0].images[0]
    mask = np.ma.getmaskarray(img.get_array())
    assert {tuple(ij) for ij in np.argwhere(mask)} == {(2, 1), (3, 2), (0, 3), (5, 4)}  # (layer, record)
    assert img.cmap.get_bad() == pytest.approx(to_rgba(mp.GREY))


def test_heatmap_roles_imposed_norm_and_linear_fractions():
    h = history(activations=True)
    ax = mp.plot_heatmap(h, "saturated_frac", role="activation").axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1 (Tanh)", "3 (Tanh)", "5 (Tanh)", "7 (Tanh)", "9 (Tanh)"]
    img = ax.images[0]
    assert not isinstance(img.norm, LogNorm) and (img.norm.vmin, img.norm.vmax) == (0.0, 1.0)
    dead = mp.plot_heatmap(h, "dead_frac", role="activation").axes[0].images[0]
    assert not np.ma.getmaskarray(dead.get_array()).any()  # 0 dead units is a measurement, not a gap
    norm = LogNorm(1e-9, 10.0)
    assert mp.plot_heatmap(h, norm=norm).axes[0].images[0].norm is norm
    assert mp.plot_heatmap(h, "gain", role=None).axes[0].images[0].get_array().shape == (11, len(STEPS))


def test_heatmap_with_uneven_steps_keeps_the_real_step_numbers():
    h = history(steps=[0, 1, 2, 3, 10])
    ax = mp.plot_heatmap(h).axes[0]
    img = ax.images[0]
    assert isinstance(img, NonUniformImage) and img.get_array().shape == (6, 5)
    assert ax.get_xlim() == (-0.5, 13.5)


def test_compare_draws_every_panel_on_one_colour_scale_with_one_colour_bar():
    van, flat = history(), history(vanishing=False)
    fig = mp.compare({"vanishing": van, "flat": flat})
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2 and len(colorbars(fig)) == 1
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["vanishing", "flat"]
    norms = {(im.norm.vmin, im.norm.vmax) for im in images}
    assert len(norms) == 1 and all(isinstance(im.norm, LogNorm) for im in images)
    vmin, vmax = norms.pop()
    assert vmin == pytest.approx(1e-5 * 0.5 ** 4) and vmax == pytest.approx(1.0)  # over both panels' values
    assert "(log scale)" in colorbars(fig)[0].get_ylabel()


def test_lines_one_per_layer_dark_input_to_light_output():
    ax = mp.plot_lines(history(activations=True), role=None).axes[0]  # activations have no grad_norm: left out
    lines = ax.get_lines()
    assert len(lines) == 6 and ax.get_yscale() == "log"
    np.testing.assert_allclose(lines[0].get_ydata(), [1e-5 * 0.5 ** r for r in range(len(STEPS))])
    np.testing.assert_array_equal(lines[0].get_xdata(), STEPS)
    assert sum(to_rgba(lines[0].get_color())[:3]) < sum(to_rgba(lines[-1].get_color())[:3])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0] == "10 (Linear)" and legend[-1] == "0 (Linear)"  # output on top, as the layers are stacked
    deep = mp.plot_lines(history(20))
    assert deep.axes[0].get_legend() is None
    assert [t.get_text() for t in colorbars(deep)[0].get_yticklabels()] == ["input: 0 (Linear)",
                                                                           "output: 19 (Linear)"]


def bar_ends(ax, colour):
    """(y, end) of the bars of one colour, bottom to top."""
    return sorted((p.get_y() + p.get_height() / 2, p.get_x() + p.get_width()) for p in ax.patches
                  if p.get_facecolor() == pytest.approx(to_rgba(colour)))


def test_bars_use_the_last_record_by_default_input_at_the_bottom():
    h = history()
    ax = mp.plot_bars(h).axes[0]
    assert "step 8" in ax.get_title() and ax.get_xscale() == "log"
    mean, peak = bar_ends(ax, "#1f77b4"), bar_ends(ax, "#ff7f0e")
    last = 0.5 ** 4
    assert [e for _, e in mean] == pytest.approx([10.0 ** -(5 - k) * last / 10 for k in range(6)])
    assert [e for _, e in peak] == pytest.approx([10.0 ** -(5 - k) * last * 2 for k in range(6)])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mean |∂L/∂w|", "max |∂L/∂w|"]
    assert ax.get_yticklabels()[0].get_text() == "0 (Linear)"
    first = mp.plot_bars(h, step=0).axes[0]
    assert "step 0" in first.get_title() and bar_ends(first, "#1f77b4")[0][1] == pytest.approx(1e-6)
    assert "nearest step 5" in mp.plot_bars(h, step=5).axes[0].get_title()
    assert "step 6" in mp.plot_bars(h, step=-2).axes[0].get_title()
    with pytest.raises(ValueError, match="only 5 records"):
        mp.plot_bars(h, step=-6)


def test_cumulative_gain_is_the_product_from_the_output_down():
    h = history(3, activations=True)  # Linear, Tanh, Linear, Tanh, Linear
    h["stats"]["gain"][-1] = [0.9, 0.5, 2.0, 0.25, 0.8]
    by_hand = [0.9 * 0.5 * 2.0 * 0.25 * 0.8, 0.5 * 2.0 * 0.25 * 0.8, 2.0 * 0.25 * 0.8, 0.25 * 0.8, 0.8]
    assert mp.cumulative_gain(h) == pytest.approx(by_hand)
    fig = mp.plot_gain(h)
    gain_ax, cum_ax = fig.axes[:2]
    assert [float(x) for x, _ in cum_ax.collections[-1].get_offsets()] == pytest.approx(by_hand)
    assert [float(x) for x, _ in gain_ax.collections[-1].get_offsets()] == pytest.approx([0.9, 0.5, 2.0, 0.25, 0.8])
    assert [float(y) for _, y in gain_ax.collections[-1].get_offsets()] == [0, 1, 2, 3, 4]  # input at the bottom
    assert gain_ax.get_yticklabels()[0].get_text() == "0 (Linear)" and gain_ax.get_xscale() == "log"
    [one] = [ln for ln in gain_ax.get_lines() if "no change" in ln.get_label()]
    assert list(one.get_xdata()) == [1.0, 1.0]
    assert "no change (gain 1)" in [t.get_text() for t in fig.legends[0].get_texts()]
    params = mp.plot_gain(h, role="param").axes[1].collections[-1].get_offsets()  # still the whole chain's product
    assert [float(x) for x, _ in params] == pytest.approx(by_hand[::2])
    h["stats"]["gain"][-1][2] = None  # a gap on the way: unknown from there down
    assert mp.cumulative_gain(h) == [None, None, None, pytest.approx(0.2), pytest.approx(0.8)]


def test_plots_draw_into_given_axes():
    h = history(activations=True)
    fig, (a, b) = figure(1, 2)
    assert mp.plot_bars(h, ax=a) is fig and mp.plot_gain(h, ax=b) is fig
    fig, (a, b) = figure(1, 2)
    assert mp.plot_heatmap(h, ax=a) is fig and mp.plot_lines(h, ax=b) is fig
    fig, axes = figure(1, 2)
    assert mp.plot_gain(h, ax=axes) is fig and axes[1].collections


def test_every_plot_writes_png_and_svg(tmp_path):
    van, flat = history(2, activations=True), history(2, vanishing=False, activations=True)  # small: quick to draw
    figs = {"heatmap": mp.plot_heatmap(van), "lines": mp.plot_lines(van), "bars": mp.plot_bars(van),
            "gain": mp.plot_gain(van), "compare": mp.compare({"tanh": van, "flat": flat}, "gain", role=None)}
    for name, fig in figs.items():
        assert fig.axes[0].get_title() or fig.get_suptitle()
        for path in save(fig, tmp_path / name):
            assert path.endswith((".png", ".svg")) and (tmp_path / path).stat().st_size > 1000


def test_errors_say_what_is_wrong():
    h = history()
    with pytest.raises(ValueError, match="unknown stat 'grad'.*grad_norm.*out_std"):
        mp.plot_heatmap(h, "grad")
    empty = {**h, "steps": [], "stats": {s: [] for s in mp.STATS}}
    for call in (mp.plot_heatmap, mp.plot_lines, mp.plot_bars, mp.plot_gain, lambda x: mp.compare({"a": x})):
        with pytest.raises(ValueError, match="nothing was recorded"):
            call(empty)
    with pytest.raises(ValueError, match="no layer has role 'activation'"):
        mp.plot_heatmap(h, role="activation")
    with pytest.raises(ValueError, match="'grad_norm' was not measured for any layer with role 'activation'"):
        mp.plot_lines(history(activations=True), role="activation")
    with pytest.raises(ValueError, match="has no 'gain'"):
        mp.plot_gain({**h, "stats": {"grad_norm": h["stats"]["grad_norm"]}})
    with pytest.raises(ValueError, match="at least one history"):
        mp.compare({})
    with pytest.raises(ValueError, match="version 2"):
        mp.plot_heatmap({**h, "version": 2})
    assert isinstance(mp.auto_norm("out_mean", [np.array([-0.2, 0.1])]), Normalize)
