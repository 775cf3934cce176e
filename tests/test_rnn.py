"""Recurrent layers (nn.RNN, nn.LSTM, nn.GRU and the cells): torch's names, shapes, maths, errors and gradients."""
import math

import numpy as np
import pytest

import autograd
import nn
from autograd import Graph, Tensor
from nn.functional import rnn as R
from nn.rnn import RNNShapeError

# (class, positional args, keyword args): layers, bidirectional, batch_first, bias=False, relu, proj_size
LAYERS: list[tuple[str, tuple, dict]] = [
    ("RNN", (4, 5), {}),
    ("RNN", (4, 5, 2), {"nonlinearity": "relu", "bidirectional": True}),
    ("RNN", (4, 5), {"batch_first": True, "bias": False}),
    ("LSTM", (4, 5), {}),
    ("LSTM", (4, 5, 2), {"bidirectional": True}),
    ("LSTM", (4, 5, 3), {"batch_first": True, "bias": False}),
    ("LSTM", (4, 6, 2), {"proj_size": 3, "bidirectional": True, "batch_first": True}),
    ("GRU", (4, 5), {}),
    ("GRU", (4, 5, 3), {"bidirectional": True}),
    ("GRU", (4, 5, 2), {"batch_first": True, "bias": False, "bidirectional": True}),
]
CELLS: list[tuple[str, dict]] = [
    ("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}), ("LSTMCell", {}),
    ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False}),
]
L, N = 5, 3


def _id(case):
    cls, args, kw = case
    return f"{cls}{args}" + "".join(f"-{k}={v}" for k, v in kw.items())


def _pair(torch, cls, args, kw):
    """Our module in float64 and torch's twin holding the same weights (loaded through its load_state_dict)."""
    ours = getattr(nn, cls)(*args, dtype=np.float64, **kw)
    theirs = getattr(torch.nn, cls)(*args, dtype=torch.float64, **kw)
    theirs.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()})
    return ours, theirs


def _states(m, batched, rng):
    """Random initial states of the right shapes for ``m`` (a tuple of arrays: (h0,) or (h0, c0))."""
    k = m.num_layers * (2 if m.bidirectional else 1)
    sizes = [m.proj_size or m.hidden_size] + ([m.hidden_size] if m.mode == "LSTM" else [])
    return tuple(rng.standard_normal((k, N, s) if batched else (k, s)) for s in sizes)


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def _close(ours, theirs, what):
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-10, err_msg=what)


# ---- parity with torch: outputs, final states, every gradient ----------------------------------------------------
@pytest.mark.parametrize("with_h0", [True, False], ids=["h0", "no_h0"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("case", LAYERS, ids=_id)
def test_layer_matches_torch(torch, case, batched, with_h0, rng):
    ours, theirs = _pair(torch, *case)
    batch_first = case[2].get("batch_first", False)
    shape = ((N, L, 4) if batch_first else (L, N, 4)) if batched else (L, 4)
    x = rng.standard_normal(shape)
    hs = _states(ours, batched, rng) if with_h0 else ()
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ho = [Tensor(h, requires_grad=True) for h in hs]
    ht = [torch.tensor(h, requires_grad=True) for h in hs]
    hx_o = (tuple(ho) if len(ho) == 2 else ho[0]) if hs else None
    hx_t = (tuple(ht) if len(ht) == 2 else ht[0]) if hs else None
    out_o, fin_o = ours(xo, hx_o)
    out_t, fin_t = theirs(xt, hx_t)
    assert out_o.shape == tuple(out_t.shape)
    _close(out_o, out_t, "output")
    fin_o, fin_t = _flat(fin_o), _flat(fin_t)
    assert [f.shape for f in fin_o] == [tuple(f.shape) for f in fin_t]
    for i, (a, b) in enumerate(zip(fin_o, fin_t)):
        _close(a, b, f"final state {i}")
    weights = [rng.standard_normal(out_o.shape)] + [rng.standard_normal(f.shape) for f in fin_o]
    loss_o = sum(((a * w).sum() for a, w in zip([out_o] + fin_o, weights)), Tensor(0.0))
    loss_t = sum((a * torch.from_numpy(w)).sum() for a, w in zip([out_t] + fin_t, weights))
    loss_o.backward()
    loss_t.backward()
    _close(xo.grad, xt.grad, "d input")
    for i, (a, b) in enumerate(zip(ho, ht)):
        _close(a.grad, b.grad, f"d initial state {i}")
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, theirs_params[name].grad, f"d {name}")


@pytest.mark.parametrize("with_h", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("cls,kw", CELLS, ids=[f"{c}-{kw}" for c, kw in CELLS])
def test_cell_matches_torch(torch, cls, kw, batched, with_h, rng):
    ours, theirs = _pair(torch, cls, (4, 5), kw)
    x = rng.standard_normal((N, 4) if batched else (4,))
    n_states = 2 if cls == "LSTMCell" else 1
    hs = [rng.standard_normal((N, 5) if batched else (5,)) for _ in range(n_states)] if with_h else []
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ho = [Tensor(h, requires_grad=True) for h in hs]
    ht = [torch.tensor(h, requires_grad=True) for h in hs]
    hx_o = (tuple(ho) if n_states == 2 else ho[0]) if hs else None
    hx_t = (tuple(ht) if n_states == 2 else ht[0]) if hs else None
    res_o, res_t = _flat(ours(xo, hx_o)), _flat(theirs(xt, hx_t))
    weights = [rng.standard_normal(r.shape) for r in res_o]
    for a, b in zip(res_o, res_t):
        assert a.shape == tuple(b.shape)
        _close(a, b, "cell output")
    sum(((a * w).sum() for a, w in zip(res_o, weights)), Tensor(0.0)).backward()
    sum((a * torch.from_numpy(w)).sum() for a, w in zip(res_t, weights)).backward()
    _close(xo.grad, xt.grad, "d input")
    for a, b in zip(ho, ht):
        _close(a.grad, b.grad, "d state")
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        _close(p.grad, tp[name].grad, f"d {name}")


def test_state_dict_keys_and_shapes_equal_torchs_and_torchs_loads(torch):
    for cls, args, kw in LAYERS + [(c, (4, 5), kw) for c, kw in CELLS]:
        ours, theirs = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
        sd_o, sd_t = ours.state_dict(), theirs.state_dict()
        assert list(sd_o) == list(sd_t), cls
        assert [v.shape for v in sd_o.values()] == [tuple(v.shape) for v in sd_t.values()], cls
        ours.load_state_dict({k: v.numpy() for k, v in sd_t.items()})  # a torch state dict loads as is
        for k, v in ours.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), sd_t[k].numpy())
        assert repr(ours) == repr(theirs)


def test_eval_mode_ignores_dropout_and_matches_torch(torch, rng):
    ours, theirs = _pair(torch, "LSTM", (4, 5, 3), {"dropout": 0.5})
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((L, N, 4))
    _close(ours(Tensor(x))[0], theirs(torch.tensor(x))[0], "eval output")


# ---- no torch needed ---------------------------------------------------------------------------------------------
def test_torch_spellings_exist_and_no_longer_say_not_in_tracegrad():
    import autograd as torch_like
    for name in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase", "RNNCellBase"):
        assert getattr(nn, name) is getattr(torch_like.nn, name)
    with pytest.raises(AttributeError, match="attention layers"):
        nn.Transformer  # the rest of the table still speaks


def test_shapes_of_outputs_and_states():
    m = nn.LSTM(3, 8, num_layers=2, bidirectional=True, proj_size=4, batch_first=True)
    out, (h, c) = m(autograd.randn(2, 7, 3))
    assert out.shape == (2, 7, 8) and h.shape == (4, 2, 4) and c.shape == (4, 2, 8)
    out, h = nn.GRU(3, 6, num_layers=3)(autograd.randn(7, 3))  # unbatched
    assert out.shape == (7, 6) and h.shape == (3, 6)
    out, h = nn.RNN(3, 6, bidirectional=True)(autograd.randn(7, 2, 3))
    assert out.shape == (7, 2, 12) and h.shape == (2, 2, 6)
    assert out.dtype == np.float32 and h.dtype == np.float32


def test_default_init_is_uniform_in_one_over_sqrt_hidden_from_the_default_generator():
    autograd.manual_seed(7)
    a = nn.GRU(10, 16, num_layers=2, bidirectional=True)
    autograd.manual_seed(7)
    b = nn.GRU(10, 16, num_layers=2, bidirectional=True)
    bound = 1 / math.sqrt(16)
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        v = p.numpy()
        assert v.dtype == np.float32 and np.abs(v).max() <= bound and v.std() > bound / 3, name
        np.testing.assert_array_equal(v, q.numpy())


def test_lstm_matches_a_hand_written_step():
    m = nn.LSTM(2, 3, dtype=np.float64)
    x, h0, c0 = (np.random.default_rng(0).standard_normal(s) for s in [(1, 1, 2), (1, 1, 3), (1, 1, 3)])
    out, (h, c) = m(Tensor(x), (Tensor(h0), Tensor(c0)))
    gates = x[0] @ m.weight_ih_l0.numpy().T + m.bias_ih_l0.numpy() + h0[0] @ m.weight_hh_l0.numpy().T \
        + m.bias_hh_l0.numpy()
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    i, f, g, o = np.split(gates, 4, axis=-1)
    c_ref = sig(f) * c0[0] + sig(i) * np.tanh(g)
    np.testing.assert_allclose(c.numpy()[0], c_ref, atol=1e-14)
    np.testing.assert_allclose(h.numpy()[0], sig(o) * np.tanh(c_ref), atol=1e-14)
    np.testing.assert_allclose(out.numpy(), h.numpy(), atol=0)


@pytest.mark.parametrize("cell", ["rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"])
def test_cells_pass_gradcheck_in_float64(cell, rng):
    gates = {"lstm_cell": 4, "gru_cell": 3}.get(cell, 1)
    t = lambda *s: Tensor(rng.standard_normal(s) * 0.7, requires_grad=True)  # noqa: E731
    x, h, c, w_ih, w_hh, b_ih, b_hh = t(2, 3), t(2, 4), t(2, 4), t(gates * 4, 3), t(gates * 4, 4), t(gates * 4), \
        t(gates * 4)
    fn = getattr(R, cell)
    if cell == "lstm_cell":
        assert autograd.gradcheck(lambda x, h, c, *w: autograd.cat(list(fn(x, (h, c), *w)), -1),
                                  [x, h, c, w_ih, w_hh, b_ih, b_hh])
    else:
        assert autograd.gradcheck(fn, [x, h, w_ih, w_hh, b_ih, b_hh])


def test_a_whole_bidirectional_layer_passes_gradcheck():
    m = nn.GRU(2, 3, num_layers=2, bidirectional=True, batch_first=True, dtype=np.float64)
    x = Tensor(np.random.default_rng(3).standard_normal((2, 3, 2)), requires_grad=True)
    h0 = Tensor(np.random.default_rng(4).standard_normal((4, 2, 3)), requires_grad=True)
    assert autograd.gradcheck(lambda x, h0: m(x, h0)[0], [x, h0])


def test_dropout_between_layers_in_training_only():
    m = nn.LSTM(3, 4, num_layers=2, dropout=1.0)
    x1, x2 = autograd.randn(5, 2, 3), autograd.randn(5, 2, 3)
    # everything the first layer says is dropped: the second layer sees zeros whatever the input
    np.testing.assert_array_equal(m(x1)[0].numpy(), m(x2)[0].numpy())
    m.eval()
    assert not np.array_equal(m(x1)[0].numpy(), m(x2)[0].numpy())
    gru = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    autograd.manual_seed(1)
    a = gru(x1)[0].numpy()
    autograd.manual_seed(1)
    np.testing.assert_array_equal(a, gru(x1)[0].numpy())  # the mask comes from autograd.default_generator()
    gru.eval()
    assert not np.array_equal(a, gru(x1)[0].numpy())
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.RNN(3, 4, dropout=0.2)


def test_each_time_step_is_recorded_under_the_modules_scope():
    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(3, 4, num_layers=2, bidirectional=True)

        def forward(self, x):
            return self.rnn(x)[0]

    model = Tagger()
    g = Graph.of(model(autograd.randn(3, 2, 3)).sum(), params=dict(model.named_parameters()))
    scopes = g.scopes()
    for layer in ("l0", "l0_reverse", "l1", "l1_reverse"):
        for t in range(3):
            assert f"rnn.{layer}.t{t}" in scopes, sorted(scopes)
    assert {n.name for n in g.nodes if n.kind == "param"} == {f"rnn.{k}" for k in model.rnn.state_dict()}


def test_wrong_input_sizes_name_the_layer_and_both_shapes():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.LSTM(3, 4)
            self.cell = nn.GRUCell(3, 4)

        def forward(self, x, hx=None, cell_x=None):
            return self.cell(cell_x) if cell_x is not None else self.encoder(x, hx)

    net = Net()
    with pytest.raises(RuntimeError, match=r"LSTM layer 'encoder'.*Expected 3, got 5.*\(5, 2, 5\)"):
        net(autograd.randn(5, 2, 5))
    with pytest.raises(ValueError, match=r"LSTM layer 'encoder'.*Expected input to be 2D or 3D, got 4D"):
        net(autograd.randn(5, 2, 3, 1))
    with pytest.raises(RNNShapeError, match=r"'encoder'.*Expected hidden\[0\] size \(1, 2, 4\), got \[1, 3, 4\]"):
        net(autograd.randn(5, 2, 3), (autograd.zeros(1, 3, 4), autograd.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(1, 2, 4\), got \[1, 2, 5\]"):
        net(autograd.randn(5, 2, 3), (autograd.zeros(1, 2, 4), autograd.zeros(1, 2, 5)))
    with pytest.raises(RuntimeError, match=r"unbatched 2-D input, hidden\[0\] should also be 2-D but got 3-D"):
        net(autograd.randn(5, 3), (autograd.zeros(1, 1, 4), autograd.zeros(1, 1, 4)))
    with pytest.raises(RuntimeError, match=r"GRUCell layer 'cell'.*got 5 expected 3"):
        net(None, cell_x=autograd.randn(2, 5))
    with pytest.raises(RuntimeError, match=r"RNN layer '<root>'.*Expected hidden size \(2, 2, 4\), got \[1, 2, 4\]"):
        nn.RNN(3, 4, bidirectional=True)(autograd.randn(5, 2, 3), autograd.zeros(1, 2, 4))
    with pytest.raises(RuntimeError, match=r"LSTMCell.*Input batch size 2 doesn't match hx\[0\] batch size 3"):
        nn.LSTMCell(3, 4)(autograd.randn(2, 3), (autograd.zeros(3, 4), autograd.zeros(3, 4)))
    with pytest.raises(ValueError, match=r"input dtype \(float64\) does not match weight dtype \(float32\)"):
        nn.GRU(3, 4)(Tensor(np.zeros((5, 2, 3))))


def test_constructor_arguments_are_checked_as_torch():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=2)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="num_layers must be greater than zero"):
        nn.RNN(3, 4, 0)
    with pytest.raises(TypeError, match="hidden_size should be of type int, got: float"):
        nn.GRU(3, 4.0)  # type: ignore[arg-type]
    assert nn.RNN(3, 4, 2, "relu").nonlinearity == "relu"  # torch's positional order


def test_long_sequences_cut_in_blocks_still_match_torch(torch, rng):
    ours, theirs = _pair(torch, "LSTM", (3, 4), {"bidirectional": True})
    x = rng.standard_normal((41, 2, 3))  # past 16 steps the slices are taken block by block
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    w = rng.standard_normal((41, 2, 8))
    out_o, out_t = ours(xo)[0], theirs(xt)[0]
    _close(out_o, out_t, "output")
    (out_o * w).sum().backward()
    (out_t * torch.from_numpy(w)).sum().backward()
    _close(xo.grad, xt.grad, "d input")
    _close(ours.weight_ih_l0_reverse.grad, theirs.weight_ih_l0_reverse.grad, "d weight_ih_l0_reverse")
