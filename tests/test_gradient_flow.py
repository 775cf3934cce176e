"""viz.flow: per-layer medians of a gradient-monitor statistic placed by relative depth, and their plot, checked on
hand-built histories and on a real monitor."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import optim
import viz
from autograd.utils.data import DataLoader, TensorDataset
from viz import gradient_flow, plot_gradient_flow


def history(kinds, grads, bn: float | None = None) -> dict:
    """One layer per entry of ``kinds``; ``grads[r][i]``: grad_norm of layer i at record r (None: not measured)."""
    layers = [{"name": str(i), "kind": k, "role": "param" if k != "ReLU" else "activation"} for i, k in
              enumerate(kinds)]
    stats = {s: [[None] * len(kinds) for _ in grads] for s in viz.monitor_plots.STATS}
    stats["grad_norm"] = [list(r) for r in grads]
    return {"version": 1, "every": 1, "layers": layers, "steps": list(range(len(grads))), "stats": stats}


def test_medians_of_the_weight_layers_in_depth_order():
    h = history(["Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "Linear"],
                [[1.0, 50.0, None, 4.0, 9.0], [3.0, 50.0, None, 2.0, 9.0], [2.0, 50.0, None, None, 7.0]])
    f = gradient_flow(h)
    assert f["layers"] == ["0 (Conv2d)", "3 (Conv2d)", "4 (Linear)"]
    np.testing.assert_allclose(f["values"], [2.0, 3.0, 9.0])  # the median skips the unmeasured record
    np.testing.assert_allclose(f["position"], [0.0, 0.5, 1.0])
    late = gradient_flow(h, start=0.5)  # records 1 and 2
    np.testing.assert_allclose(late["values"], [2.5, 2.0, 8.0])
    every = gradient_flow(h, kinds=None)  # every layer with parameters: batch norm too, not the activation
    assert every["layers"][1] == "1 (BatchNorm2d)" and len(every["layers"]) == 4
    one = gradient_flow(history(["Linear"], [[None], [None]]))
    assert np.isnan(one["values"][0]) and one["position"].tolist() == [0.0]


def test_a_real_monitor_and_its_history_give_the_same_flow():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((32, 4)).astype(np.float32), rng.integers(0, 2, 32)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    mon = viz.GradientMonitor(model, opt)
    nn.Trainer(model, opt, callbacks=[mon], progress=False).fit(DataLoader(TensorDataset(x, y), batch_size=8),
                                                                 epochs=1)
    f = gradient_flow(mon)
    assert f["layers"] == ["0 (Linear)", "2 (Linear)", "4 (Linear)"] and (f["values"] > 0).all()
    np.testing.assert_array_equal(gradient_flow(mon.history)["values"], f["values"])


def test_plot_puts_the_input_at_the_bottom_and_names_the_ratio():
    vanish = history(["Conv2d"] * 4 + ["Linear"], [[1e-4, 1e-3, 1e-2, 1e-1, 1.0]] * 3)
    flat = history(["Conv2d"] * 2 + ["Linear"], [[1.0, 1.0, 1.0]] * 3)
    fig = plot_gradient_flow({"deep": vanish, "shallow": flat})
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and "input layer" in ax.get_ylabel() and "log scale" in ax.get_xlabel()
    assert ax.get_title().startswith("Gradient flow")
    deep = ax.lines[0]
    assert deep.get_ydata()[0] == 0.0 and deep.get_xdata()[0] == pytest.approx(1e-4)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["deep: 5 layers, input / output 0.0001", "shallow: 3 layers, input / output 1"]


@pytest.mark.parametrize("args, kwargs, message", [
    ((object(),), {}, "expected a GradientMonitor"),
    ((history(["Linear"], []),), {}, "recorded nothing"),
    ((history(["Linear"], [[1.0]]), "speed"), {}, "unknown stat"),
    ((history(["Linear"], [[1.0]]),), {"start": 1.0}, "start"),
    ((history(["Linear"], [[1.0]]),), {"kinds": ("Conv2d",)}, "no layer of kinds"),
])
def test_bad_input_is_refused(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        gradient_flow(*args, **kwargs)


def test_plot_needs_monitors():
    with pytest.raises(ValueError, match="non-empty"):
        plot_gradient_flow({})
