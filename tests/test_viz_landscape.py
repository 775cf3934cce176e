"""viz.landscape: loss landscapes (Li et al. 2018) and their pictures, on small models and 5-9 point grids."""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.utils.data import DataLoader, TensorDataset
from viz.figures import save
from viz.landscape import Landscape, compare_landscapes, loss_landscape, pca_directions, random_directions
from viz.landscape_plot import loss_scale

F = nn.functional


def mlp(dtype=np.float32, bn: bool = False) -> nn.Module:
    layers = [nn.Linear(6, 12, dtype=dtype)] + ([nn.BatchNorm1d(12)] if bn else []) + [nn.ReLU(), nn.Dropout(0.3),
                                                                                      nn.Linear(12, 3, dtype=dtype)]
    return nn.Sequential(*layers)


def data(n: int = 64, dtype=np.float32, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6)).astype(dtype)
    return x, (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 0.5)


def model_loss(model, x, y) -> float:
    with autograd.no_grad():
        return float(F.cross_entropy(model(Tensor(x)), Tensor(y)).numpy())


def states(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def trained(model, x, y, epochs: int = 6, lr: float = 0.5):
    """Plain gradient descent, saving a copy of the state dict after every step."""
    traj = []
    for _ in range(epochs):
        model.zero_grad()
        F.cross_entropy(model(Tensor(x)), Tensor(y)).backward()
        with autograd.no_grad():
            for p in model.parameters():
                p.numpy()[...] -= lr * p.grad.numpy()
        traj.append(states(model))
    return traj


def test_origin_is_the_models_loss_and_the_grid_centre():
    x, y = data()
    model = mlp()  # training mode, with dropout: evaluated in eval mode, and left in training mode
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=7, span=0.5)
    assert model.training and all(m.training for m in model.modules())
    assert land.origin_loss == model_loss(model.eval(), x, y)
    assert land.losses[3, 3] == land.origin_loss and land.alphas[3] == 0.0 and land.betas[3] == 0.0
    assert land.alphas[0] == -0.5 and land.alphas[-1] == 0.5 and np.all(np.diff(land.alphas) > 0)
    assert np.all(np.isfinite(land.losses)) and land.losses.min() <= land.origin_loss + 1e-6


def test_weights_buffers_and_modes_restored_bitwise():
    x, y = data()
    model = mlp(bn=True)
    model.train()
    model[0].eval()  # one module in another mode than its parent
    before, modes = states(model), [m.training for m in model.modules()]
    arrays = [p.numpy() for p in model.parameters()]
    loss_landscape(model, F.cross_entropy, (x, y), steps=5, trajectory=trained(copy.deepcopy(model), x, y, 3))
    after = states(model)
    assert all(after[k].tobytes() == before[k].tobytes() for k in before)
    assert all(p.numpy() is a for p, a in zip(model.parameters(), arrays))  # written back in place
    assert [m.training for m in model.modules()] == modes


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_weights_restored_after_an_exception_midway(error):
    x, y = data()
    model = mlp(bn=True)
    before = states(model)
    calls = []

    def failing(out, target):
        calls.append(1)
        if len(calls) == 9:
            raise error("stop")
        return F.cross_entropy(out, target)

    with pytest.raises(error):
        loss_landscape(model, failing, (x, y), steps=5)
    assert len(calls) == 9 and model.training
    after = states(model)
    assert all(after[k].tobytes() == before[k].tobytes() for k in before)


def conv_net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


def test_filter_normalisation_rows_have_their_weight_rows_norm_and_biases_are_zero():
    model = conv_net()
    params = dict(model.named_parameters())
    for d in random_directions(model, dims=2, normalization="filter", seed=3):
        assert set(d) == set(params)
        for name, p in params.items():
            w = p.numpy().astype(np.float64)
            if w.ndim <= 1:
                assert not d[name].any(), name  # biases and batch-norm weight / bias
                continue
            rows_d = np.linalg.norm(d[name].reshape(len(w), -1), axis=1)
            np.testing.assert_allclose(rows_d, np.linalg.norm(w.reshape(len(w), -1), axis=1), rtol=1e-12)
    (d,) = random_directions(model, dims=1, normalization="layer")
    np.testing.assert_allclose(np.linalg.norm(d["0.weight"]), np.linalg.norm(params["0.weight"].numpy()), rtol=1e-6)
    (raw,) = random_directions(model, dims=1, normalization=None)
    assert not raw["0.bias"].any() and raw["0.weight"].std() > 0.5  # raw Gaussian


def test_one_and_two_dimensional_shapes_share_direction_one():
    x, y = data()
    model = mlp()
    one = loss_landscape(model, F.cross_entropy, (x, y), dims=1, steps=5)
    two = loss_landscape(model, F.cross_entropy, (x, y), dims=2, steps=5)
    assert one.losses.shape == (5,) and one.betas is None and one.dims == 1
    assert two.losses.shape == (5, 5) and two.betas.shape == (5,) and two.dims == 2
    np.testing.assert_array_equal(one.losses, two.losses[:, 2])  # β = 0 column: the same line


def test_reproducible_with_the_same_seed():
    x, y = data()
    model = mlp()
    a, b = (loss_landscape(model, F.cross_entropy, (x, y), steps=5, seed=7) for _ in range(2))
    c = loss_landscape(model, F.cross_entropy, (x, y), steps=5, seed=8)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses, c.losses)


def test_pca_directions_explained_variance_and_trajectory():
    x, y = data()
    model = mlp().eval()
    traj = trained(model, x, y, epochs=6)
    dirs, ratio = pca_directions(model, traj, dims=2)
    assert np.all((ratio >= 0) & (ratio <= 1)) and ratio[0] >= ratio[1] and ratio.sum() <= 1 + 1e-12
    flat = np.stack([np.concatenate([d[n].ravel() for n, _ in model.named_parameters()]) for d in dirs])
    np.testing.assert_allclose(flat @ flat.T, np.eye(2), atol=1e-10)  # orthonormal
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=5, directions="pca", trajectory=traj, span=2.0)
    np.testing.assert_array_equal(land.explained_variance, ratio)
    assert land.directions == "pca" and land.trajectory_coords.shape == (6, 2)
    np.testing.assert_allclose(land.trajectory_coords[-1], 0.0, atol=1e-12)  # centred on the final point
    assert land.trajectory_coords[0, 0] <= 0 and np.all(land.trajectory_residuals <= 1)
    back = Landscape.from_dict(json.loads(json.dumps(land.to_dict())))
    for field in ("losses", "alphas", "betas", "explained_variance", "trajectory_coords", "trajectory_losses",
                  "trajectory_residuals"):
        np.testing.assert_array_equal(getattr(back, field), getattr(land, field), err_msg=field)
    assert back.directions == "pca" and back.normalization is None and back.axis_label(0) == land.axis_label(0)
    with pytest.warns(UserWarning, match="final point"):
        loss_landscape(model, F.cross_entropy, (x, y), steps=3, directions="pca", trajectory=traj[:-1])


def test_trajectory_losses_are_the_models_losses_at_those_states():
    x, y = data()
    model = mlp(bn=True)
    traj = trained(copy.deepcopy(model), x, y, epochs=4)
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=5, trajectory=traj)
    for state, got in zip(traj, land.trajectory_losses):
        other = copy.deepcopy(model)
        other.load_state_dict({k: Tensor(v) for k, v in state.items()})
        assert got == pytest.approx(model_loss(other.eval(), x, y), rel=1e-12)
    assert land.trajectory_coords.shape == (4, 2) and land.trajectory_residuals.shape == (4,)
    assert np.all(land.trajectory_residuals > 0.5)  # biases moved: random directions hold little of the path


def test_a_trajectory_in_the_plane_has_zero_residual_and_the_grids_losses():
    x, y = data()
    model = mlp().eval()
    d1, d2 = random_directions(model, dims=2, seed=0)
    at = [(-0.5, 0.5), (0.0, -1.0), (1.0, 0.5), (0.0, 0.0)]  # grid nodes of steps=5, span=1
    traj = []
    for a, b in at:
        state = states(model)
        for name, p in model.named_parameters():
            w = p.numpy().astype(np.float64) + a * d1[name]
            w += b * d2[name]
            state[name] = w.astype(p.numpy().dtype)
        traj.append(state)
    land = loss_landscape(model, F.cross_entropy, (x, y), steps=5, trajectory=traj)
    np.testing.assert_allclose(land.trajectory_coords, at, atol=1e-6)
    np.testing.assert_allclose(land.trajectory_residuals, 0.0, atol=1e-6)
    index = {v: i for i, v in enumerate(land.alphas.tolist())}
    grid = [land.losses[index[a], index[b]] for a, b in at]
    np.testing.assert_allclose(land.trajectory_losses, grid, rtol=1e-12)


def test_a_data_loader_gives_the_full_datas_landscape():
    x, y = data(n=100, dtype=np.float64)
    model = mlp(dtype=np.float64)
    full = loss_landscape(model, F.cross_entropy, (Tensor(x), Tensor(y)), steps=5)
    loader = DataLoader(TensorDataset(Tensor(x), Tensor(y)), batch_size=32)  # 32, 32, 32, 4
    batched = loss_landscape(model, F.cross_entropy, loader, steps=5)
    np.testing.assert_allclose(batched.losses, full.losses, rtol=1e-6)
    assert batched.origin_loss == pytest.approx(full.origin_loss, rel=1e-6)


def test_given_directions_and_json_round_trip():
    x, y = data()
    model = mlp()
    d = {"0.weight": np.ones((12, 6)) * 0.1}
    land = loss_landscape(model, F.cross_entropy, (x, y), dims=1, steps=5, directions=[d])
    assert land.directions == "given" and "given" in land.axis_label(0)
    land.losses[0] = np.nan
    back = Landscape.from_dict(json.loads(json.dumps(land.to_dict(), allow_nan=False)))
    np.testing.assert_array_equal(back.losses, land.losses)
    assert back.origin_loss == land.origin_loss and back.betas is None and back.dims == 1
    with pytest.raises(ValueError, match="names no parameter"):
        loss_landscape(model, F.cross_entropy, (x, y), dims=1, steps=3, directions=[{"nope": np.ones(2)}])


def _shots():
    x, y = data()
    model = mlp().eval()
    traj = trained(model, x, y, epochs=5)
    two = loss_landscape(model, F.cross_entropy, (x, y), steps=5, trajectory=traj)
    pca = loss_landscape(model, F.cross_entropy, (x, y), steps=5, directions="pca", trajectory=traj)
    one = loss_landscape(model, F.cross_entropy, (x, y), dims=1, steps=5, trajectory=traj)
    return {"plot2d": two.plot(), "plot1d": one.plot(), "surface": two.plot_surface(), "pca": pca.plot(levels=10),
            "compare": compare_landscapes({"random": two, "pca": pca}), "compare1d": compare_landscapes({"a": one})}


def test_plots_write_png_and_svg(tmp_path):
    for name, fig in _shots().items():
        assert fig.axes and fig.axes[0].get_title() or fig._suptitle is not None
        for path in save(fig, tmp_path / name):
            assert (tmp_path / path).stat().st_size > 1000, path
    fig = compare_landscapes({"a": loss_landscape(mlp(), F.cross_entropy, data(), steps=3),
                              "b": loss_landscape(mlp(), F.cross_entropy, data(seed=1), steps=3)})
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(bars) == 1 and bars[0].get_ylabel() == "loss"  # one colour bar for the whole figure


def test_loss_scale_is_logarithmic_over_two_decades():
    _, norm, log = loss_scale([np.array([1e-3, 0.5, 20.0])], levels=8)
    assert log and norm.vmin == 1e-3 and norm.vmax == 20.0
    assert not loss_scale([np.array([1e-3, 20.0])], log=False)[2] and not loss_scale([np.array([0.5, 2.0])])[2]


@pytest.mark.parametrize("kwargs, match", [
    ({"dims": 3}, "dims must be 1 or 2"), ({"steps": 1}, "steps must be an int >= 2"), ({"span": 0.0}, "span must"),
    ({"span": -1}, "span must"), ({"normalization": "batch"}, "normalization must"),
    ({"directions": "pca"}, "trajectory: directions='pca' needs"), ({"directions": "svd"}, "directions must"),
    ({"directions": [{}]}, "directions: expected"), ({"trajectory": {"0.weight": np.ones((12, 6))}}, "trajectory: "),
    ({"trajectory": []}, "trajectory: expected a non-empty"),
])
def test_errors_name_the_argument(kwargs, match):
    x, y = data()
    with pytest.raises(ValueError, match=match):
        loss_landscape(mlp(), F.cross_entropy, (x, y), **kwargs)


def test_more_errors():
    x, y = data()
    model = mlp()
    with pytest.raises(ValueError, match="data: expected"):
        loss_landscape(model, F.cross_entropy, x)
    with pytest.raises(ValueError, match="directions: expected .* got one dict"):
        loss_landscape(model, F.cross_entropy, (x, y), dims=1, directions={"0.weight": np.ones((12, 6))})
    with pytest.raises(ValueError, match="at least dims"):
        loss_landscape(model, F.cross_entropy, (x, y), directions="pca", trajectory=[states(model)] * 2)
    with pytest.raises(ValueError, match="plot_surface needs a 2-D"):
        loss_landscape(model, F.cross_entropy, (x, y), dims=1, steps=3).plot_surface()
