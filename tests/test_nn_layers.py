"""Linear, Identity, Flatten, nn.init, MLP and Perceptron: PyTorch parity with copied weights, init, errors."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def _copy_to_torch(torch, ours, theirs):
    """Copy our parameters into a torch module with the same parameter names (float64)."""
    theirs.double()
    with torch.no_grad():
        for (n, p), (tn, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert n == tn
            tp.copy_(torch.tensor(p.numpy().astype(np.float64)))
    ours.double()


def _check_against_torch(torch, ours, theirs, xn, rng, rtol=1e-10):
    _copy_to_torch(torch, ours, theirs)
    x, xt = Tensor(xn, requires_grad=True), torch.tensor(xn, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.numpy(), yt.detach().numpy(), rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=1e-12)
    for (n, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=1e-12, err_msg=n)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch(bias, shape, rng, torch):
    _check_against_torch(torch, nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias),
                         rng.standard_normal(shape), rng)


def test_linear_shapes_names_and_default_init():
    lin = nn.Linear(50, 20)
    assert lin.weight.shape == (20, 50) and lin.bias.shape == (20,)
    assert lin.weight.dtype == np.float32 and lin.weight.requires_grad
    assert [n for n, _ in lin.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(50)  # kaiming_uniform(a=√5) gives U(±1/√fan_in), like the bias
    assert np.abs(lin.weight.numpy()).max() <= bound and np.abs(lin.bias.numpy()).max() <= bound
    assert np.abs(lin.weight.numpy()).max() > 0.9 * bound  # really spread over the interval
    assert [n for n, _ in nn.Linear(2, 2, bias=False).named_parameters()] == ["weight"]
    assert nn.Linear(2, 2, bias=False).bias is None


def test_init_is_seeded_by_the_one_generator():
    autograd.manual_seed(7)
    a = nn.Linear(6, 4).weight.numpy().copy()
    autograd.manual_seed(7)
    b = nn.Linear(6, 4).weight.numpy().copy()
    c = nn.Linear(6, 4).weight.numpy().copy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_linear_wrong_feature_count_names_the_layer():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(5, 2))
    with pytest.raises(ValueError, match=r"layer '2'.*expected.*5 features.*got shape \(7, 3\)"):
        model(Tensor(np.ones((7, 4))))
    mlp = nn.MLP([4, 8, 2])
    with pytest.raises(ValueError, match=r"'layers.0'.*4 features.*\(3, 5\)"):
        mlp(Tensor(np.ones((3, 5))))
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(-1, 3)


def test_identity_and_flatten(rng, torch):
    x = rng.standard_normal((2, 3, 4, 5))
    assert nn.Identity(54, unused=1)(Tensor(x)).shape == x.shape
    for args in [(), (0,), (1, 2), (2, -1), (0, -2)]:
        _check_against_torch(torch, nn.Flatten(*args), torch.nn.Flatten(*args), x, rng)
        assert nn.Flatten(*args)(Tensor(x)).shape == torch.nn.Flatten(*args)(torch.tensor(x)).shape
    with pytest.raises(ValueError, match="out of range"):
        nn.Flatten(4)(Tensor(x))


def test_functional_linear(rng):
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    np.testing.assert_allclose(nn.functional.linear(Tensor(x), Tensor(w), Tensor(b)).numpy(), x @ w.T + b)


# ---- nn.init ----------------------------------------------------------------------------------
def test_calculate_gain_matches_torch(torch):
    for name, param in [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                        ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None), ("conv2d", None)]:
        assert nn.init.calculate_gain(name, param) == pytest.approx(torch.nn.init.calculate_gain(name, param))
    with pytest.raises(ValueError):
        nn.init.calculate_gain("swish")


@pytest.mark.parametrize("shape", [(64, 32), (16, 8, 3, 3)])
def test_init_distributions(shape, torch):
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    t = Tensor(np.zeros(shape))
    cases = [
        (nn.init.kaiming_uniform_, {}, math.sqrt(2 / (1 + 0)) / math.sqrt(fan_in), True),
        (nn.init.kaiming_uniform_, {"mode": "fan_out", "nonlinearity": "relu"}, math.sqrt(2 / fan_out), True),
        (nn.init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / fan_in), False),
        (nn.init.xavier_uniform_, {"gain": 2.0}, 2.0 * math.sqrt(2 / (fan_in + fan_out)), True),
        (nn.init.xavier_normal_, {}, math.sqrt(2 / (fan_in + fan_out)), False),
    ]
    for fn, kw, std, uniform in cases:
        assert fn(t, **kw) is t
        assert t.numpy().std() == pytest.approx(std, rel=0.1), fn.__name__
        if uniform:
            assert np.abs(t.numpy()).max() <= math.sqrt(3) * std * (1 + 1e-9)
    nn.init.normal_(t, 3.0, 0.5)
    assert t.numpy().mean() == pytest.approx(3.0, abs=0.1) and t.numpy().std() == pytest.approx(0.5, rel=0.1)
    nn.init.uniform_(t, -2, -1)
    assert t.numpy().min() >= -2 and t.numpy().max() <= -1
    np.testing.assert_array_equal(nn.init.constant_(t, 0.3).numpy(), 0.3)
    np.testing.assert_array_equal(nn.init.ones_(t).numpy(), 1)
    np.testing.assert_array_equal(nn.init.zeros_(t).numpy(), 0)


def test_init_keeps_dtype_and_rejects_vectors_for_fans():
    p = nn.Parameter(np.zeros((3, 2), dtype=np.float32))
    nn.init.xavier_uniform_(p)
    assert p.numpy().dtype == np.float32 and p.numpy().any()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        nn.init.kaiming_uniform_(Tensor(np.zeros(5)))
    with pytest.raises(ValueError, match="mode"):
        nn.init.kaiming_normal_(p, mode="fan_avg")


# ---- MLP and Perceptron -----------------------------------------------------------------------
@pytest.mark.parametrize("activation", ["relu", "tanh", nn.ELU, "leaky_relu", "softplus"])
def test_mlp_matches_torch(activation, rng, torch):
    tact = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, nn.ELU: torch.nn.ELU, "leaky_relu": torch.nn.LeakyReLU,
            "softplus": torch.nn.Softplus}[activation]
    ours = nn.MLP([5, 7, 6, 3], activation=activation, output_activation="sigmoid")
    layers = [torch.nn.Linear(5, 7), tact(), torch.nn.Linear(7, 6), tact(), torch.nn.Linear(6, 3), torch.nn.Sigmoid()]
    theirs = torch.nn.Module()
    theirs.layers = torch.nn.Sequential(*layers)
    theirs.forward = theirs.layers.forward
    _check_against_torch(torch, ours, theirs, rng.standard_normal((4, 5)), rng)


def test_mlp_structure_and_errors():
    m = nn.MLP([2, 4, 1], activation="linear")
    assert [type(x).__name__ for x in m.layers] == ["Linear", "Identity", "Linear"]
    with pytest.raises(ValueError, match="unknown activation"):
        nn.MLP([2, 3, 2], activation="swish")
    with pytest.raises(TypeError, match="not an instance"):
        nn.MLP([2, 3, 2], activation=nn.ReLU())
    with pytest.raises(ValueError, match="sizes"):
        nn.MLP([3])
    with pytest.raises(ValueError, match="dropout"):
        nn.MLP([3, 2], dropout=1.0)


def test_mlp_dropout_and_batchnorm_options():
    norm = pytest.importorskip("nn.normalization")
    if not hasattr(norm, "BatchNorm1d") or not hasattr(norm, "Dropout"):
        pytest.skip("nn.BatchNorm1d / nn.Dropout not written yet")
    m = nn.MLP([4, 8, 8, 2], dropout=0.5, batchnorm=True)
    assert [type(x).__name__ for x in m.layers] == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear",
                                                    "BatchNorm1d", "ReLU", "Dropout", "Linear"]
    x = Tensor(np.random.default_rng(0).standard_normal((16, 4)))
    assert m(x).shape == (16, 2)
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), m(x).numpy())  # deterministic in eval mode
    assert any("running_mean" in k for k in m.state_dict())


def test_gradcheck_tiny_linear_and_mlp(rng):
    lin = nn.Linear(3, 2)
    mlp = nn.MLP([3, 4, 2], activation="tanh")
    lin.double(), mlp.double()
    x = Tensor(rng.standard_normal((4, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), [x, lin.weight, lin.bias])
    # gradcheck perturbs its inputs in place, so passing the parameters checks the MLP's own gradients
    assert autograd.gradcheck(lambda x, *ps: nn.functional.cross_entropy(mlp(x), np.array([0, 1, 1, 0])),
                              [x, *mlp.parameters()])


def test_perceptron_rule_learns_and(rng):
    p = nn.Perceptron(2)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([0, 0, 0, 1])
    for _ in range(50):
        if p.perceptron_rule_step(x, y, lr=0.1) == 0:
            break
    np.testing.assert_array_equal(p.predict(x), y)
    np.testing.assert_array_equal(p(Tensor(x)).numpy(), y)  # Heaviside output
    assert p.perceptron_rule_step(x, y, lr=0.1) == 0
    with pytest.raises(ValueError, match="0 or 1"):
        p.perceptron_rule_step(x, np.array([0, 2, 0, 1]))
    with pytest.raises(ValueError, match="2 features"):
        p(Tensor(np.ones((3, 4))))


def test_perceptron_step_has_no_gradient_but_the_sigmoid_variant_trains():
    x = Tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32))
    y = Tensor(np.array([0, 0, 0, 1], dtype=np.float32))
    hard = nn.Perceptron(2)
    nn.functional.mse_loss(hard(x), y).backward()
    assert not hard.weight.grad.numpy().any() and not hard.bias.grad.numpy().any()
    soft = nn.Perceptron(2, differentiable=True)
    losses = []
    for _ in range(300):
        soft.zero_grad()
        loss = nn.functional.binary_cross_entropy(soft(x), y)
        loss.backward()
        losses.append(loss.item())
        for prm in soft.parameters():
            prm.numpy()[...] -= 1.0 * prm.grad.numpy()
    assert losses[-1] < 0.5 * losses[0]
    np.testing.assert_array_equal(soft.predict(x), [0, 0, 0, 1])


def test_perceptron_rule_is_the_classic_update():
    p = nn.Perceptron(3)
    p.weight.numpy()[...] = [[0.5, -1.0, 0.0]]
    p.bias.numpy()[...] = [0.0]
    x, y = np.array([[1.0, 1.0, 2.0]]), np.array([1])  # z = -0.5, so ŷ = 0 and the error is 1
    assert p.perceptron_rule_step(x, y, lr=0.1) == 1
    np.testing.assert_allclose(p.weight.numpy(), [[0.6, -0.9, 0.2]], rtol=1e-6)
    np.testing.assert_allclose(p.bias.numpy(), [0.1], rtol=1e-6)
    p.weight.numpy()[...] = 0
    p.bias.numpy()[...] = 0  # z = 0: H(0) = ½, so the update is half a step
    p.perceptron_rule_step(x, np.array([0]), lr=1.0)
    np.testing.assert_allclose(p.weight.numpy(), [[-0.5, -0.5, -1.0]])


def test_perceptron_fit_separable_reaches_zero_mistakes_and_stops(rng):
    x = rng.standard_normal((60, 2))
    y = (x @ np.array([2.0, -1.0]) + 0.3 > 0).astype(np.int64)
    for shuffle in (False, True):
        p = nn.Perceptron(2)
        history = p.fit(x, y, epochs=200, shuffle=shuffle)
        assert isinstance(history, list) and all(isinstance(h, int) for h in history)
        assert history[-1] == 0 and 0 not in history[:-1] and len(history) < 200   # stopped at the first clean epoch
        np.testing.assert_array_equal(p.predict(x), y)


def test_perceptron_fit_never_separates_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    p = nn.Perceptron(2)
    history = p.fit(Tensor(x), Tensor(np.array([0, 1, 1, 0])), epochs=50, lr=0.5)
    assert len(history) == 50 and min(history) > 0


def test_perceptron_fit_is_the_rule_step_repeated(rng):
    x, y = rng.standard_normal((10, 3)), rng.integers(0, 2, 10)
    a, b = nn.Perceptron(3), nn.Perceptron(3)
    b.load_state_dict(a.state_dict())
    history = a.fit(x, y, epochs=3, lr=0.1)
    assert history == [b.perceptron_rule_step(x, y, lr=0.1) for _ in range(len(history))]
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    with pytest.raises(ValueError, match="epochs must be a positive int"):
        a.fit(x, y, epochs=0)
    with pytest.raises(ValueError, match="10 samples but y has 9"):
        a.fit(x, y[:9])
