"""viz.plot_dropout / dropout_masks: the lecture's thinned-network picture, from real nn.Dropout masks."""
import numpy as np
import pytest

import autograd
import viz
from viz import plots_dropout


def test_masks_come_from_nn_dropout_and_keep_the_output():
    masks = plots_dropout.dropout_masks((500, 4000, 4000, 10), rate=0.5, input_rate=0.2, seed=3)
    assert [m.shape for m in masks] == [(500,), (4000,), (4000,), (10,)] and all(m.dtype == bool for m in masks)
    assert masks[-1].all()
    assert abs(1 - masks[0].mean() - 0.2) < 0.05 and all(abs(m.mean() - 0.5) < 0.03 for m in masks[1:3])
    again = plots_dropout.dropout_masks((500, 4000, 4000, 10), rate=0.5, input_rate=0.2, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(masks, again))
    autograd.manual_seed(11)
    expected = autograd.rand(3).numpy()
    autograd.manual_seed(11)
    plots_dropout.dropout_masks((4, 4, 2), seed=5)           # leaves the caller's random stream alone
    np.testing.assert_array_equal(autograd.rand(3).numpy(), expected)
    none = plots_dropout.dropout_masks((5, 7, 2), rate=0.0, input_rate=0.0)
    assert all(m.all() for m in none)


def test_the_figure_draws_exactly_the_kept_connections():
    sizes, seed = (6, 8, 8, 3), 0
    masks = plots_dropout.dropout_masks(sizes, seed=seed)
    kept = sum(int(a.sum()) * int(b.sum()) for a, b in zip(masks[:-1], masks[1:]))
    fig = viz.plot_dropout(sizes, seed=seed)
    full_ax, thin_ax = fig.axes
    assert len(full_ax.lines) == sum(a * b for a, b in zip(sizes[:-1], sizes[1:])) and len(thin_ax.lines) == kept
    caption = thin_ax.get_xlabel()
    assert caption.startswith(f"{kept} of 136 connections left") and "× 1/(1 − r) = 2" in caption
    labels = [t.get_text() for t in thin_ax.get_yticklabels()]
    assert labels[0] == f"input ({masks[0].sum()}/6 kept)" and labels[-1] == "output (3/3 kept)"
    assert full_ax.get_title() == "(a) standard neural net" and fig._suptitle.get_text().startswith("Dropout")


@pytest.mark.parametrize("kw, match", [({"sizes": (4,)}, "at least two layer widths"),
                                       ({"rate": 1.0}, r"rate must be in \[0, 1\)"),
                                       ({"input_rate": -0.1}, "input_rate must be")])
def test_bad_input_says_what_was_expected(kw, match):
    with pytest.raises(ValueError, match=match):
        viz.plot_dropout(**kw)
