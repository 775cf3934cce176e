"""What a ported PyTorch program meets: Module.to / double / float / half / type / cpu / cuda, ``inplace=`` on
activations, and errors that name PyTorch's spelling and tracegrad's."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor


def _bn_model():
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(inplace=True), nn.Linear(4, 2))


def _trained(model, rng):
    for _ in range(3):  # moves the running statistics and leaves gradients behind
        model(Tensor(rng.standard_normal((8, 3)).astype(np.float32))).sum().backward()
    return model


def test_double_keeps_the_objects_and_casts_params_grads_and_float_buffers(rng):
    model = _trained(_bn_model(), rng)
    params, bufs = list(model.parameters()), list(model.buffers())
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert model.double() is model
    held = opt.param_groups[0]["params"]
    assert [id(p) for p in model.parameters()] == [id(p) for p in params] == [id(p) for p in held]
    assert [id(b) for b in model.buffers()] == [id(b) for b in bufs]
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 and p.requires_grad for p in params)
    bn = model[1]
    assert bn.running_mean.dtype == bn.running_var.dtype == np.float64
    assert bn.num_batches_tracked.dtype == np.int64 and int(bn.num_batches_tracked.numpy()) == 3
    assert model.float()[0].weight.dtype == np.float32 and bn.num_batches_tracked.dtype == np.int64
    assert model.half()[1].running_var.dtype == np.float16


def test_double_batchnorm_model_matches_torch_float64_in_eval(rng, torch):
    ours = _trained(_bn_model(), rng)
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    ref.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    ours.double().eval()
    ref.double().eval()
    assert {k: str(v.dtype) for k, v in ours.state_dict().items()} == \
        {k: str(v.dtype).replace("torch.", "") for k, v in ref.state_dict().items()}
    x = rng.standard_normal((5, 3))
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), ref(torch.tensor(x)).detach().numpy(), rtol=0, atol=1e-12)


class _Device:
    """A stand-in for torch.device: only ``.type`` matters."""

    def __init__(self, kind: str) -> None:
        self.type = kind


@pytest.mark.parametrize("args,kwargs,dtype", [
    ((np.float64,), {}, np.float64), ((autograd.float64,), {}, np.float64), ((np.dtype("float16"),), {}, np.float16),
    (("cpu",), {}, np.float32), (("cpu", np.float64), {}, np.float64), ((_Device("cpu"), np.float64, True), {},
                                                                      np.float64),
    ((), {"device": "cpu", "dtype": autograd.float64}, np.float64), ((), {"dtype": np.float64,
                                                                         "non_blocking": True}, np.float64),
    ((Tensor(np.zeros(2)),), {}, np.float64), (("cpu:0",), {}, np.float32), ((), {}, np.float32),
])
def test_to_forms(args, kwargs, dtype):
    model = _bn_model()
    assert model.to(*args, **kwargs) is model
    assert model[0].weight.dtype == model[1].running_mean.dtype == dtype
    assert model[1].num_batches_tracked.dtype == np.int64


def test_to_a_torch_device(torch):
    model = nn.Linear(2, 2).to(torch.device("cpu"), np.float64)
    assert model.weight.dtype == np.float64
    with pytest.raises(RuntimeError, match="only device 'cpu'"):
        model.to(torch.device("cuda"))


@pytest.mark.parametrize("call", [lambda m: m.cuda(), lambda m: m.cuda(0), lambda m: m.to("cuda"),
                                  lambda m: m.to("cuda:1", np.float64), lambda m: m.to(device="mps"),
                                  lambda m: m.to(_Device("cuda")), lambda m: m.to(0)])
def test_other_devices_raise_a_clear_error(call):
    model = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="tracegrad computes with NumPy on the CPU.*only device 'cpu'"):
        call(model)
    assert model.weight.dtype == np.float32
    assert model.cpu() is model


def test_to_and_type_reject_what_they_cannot_do():
    model = _bn_model()
    with pytest.raises(TypeError, match="only accepts floating-point dtypes.*int64"):
        model.to(np.int64)
    with pytest.raises(TypeError, match="only accepts floating-point dtypes"):
        model.to(Tensor(np.zeros(2, dtype=np.int64)))
    with pytest.raises(TypeError, match="invalid combination of arguments"):
        model.to("cpu", np.float64, True, 3)
    with pytest.raises(TypeError, match="unexpected keyword argument 'dev'"):
        model.to(dev="cpu")
    with pytest.raises(TypeError, match=r"Module.type\(int64\).*require grad"):
        model.type(np.int64)
    assert model[0].weight.dtype == np.float32


def test_type_casts_every_tensor_as_torch(torch):
    ours, ref = nn.BatchNorm1d(3).type(np.float64), torch.nn.BatchNorm1d(3).type(torch.float64)
    assert ours.num_batches_tracked.dtype == np.float64 and ref.num_batches_tracked.dtype == torch.float64
    assert ours.weight.dtype == np.float64


# ---- inplace= ---------------------------------------------------------------------------------------------
MODULES = [("ReLU", (), {}), ("LeakyReLU", (0.2,), {}), ("ELU", (0.5,), {}), ("SELU", (), {}),
           ("Hardtanh", (-2.0, 2.0), {}), ("Dropout", (0.3,), {})]


@pytest.mark.parametrize("name,args,kwargs", MODULES)
@pytest.mark.parametrize("inplace", [True, False])
def test_inplace_is_accepted_and_shown_as_torch(name, args, kwargs, inplace, rng, torch):
    ours, ref = getattr(nn, name)(*args, inplace=inplace), getattr(torch.nn, name)(*args, inplace=inplace)
    assert repr(ours) == repr(ref) and ours.inplace is inplace
    ours.eval(), ref.eval()
    x = rng.standard_normal((3, 4)) * 3
    xs = x.copy()
    np.testing.assert_allclose(ours(Tensor(x)).numpy(), ref(torch.tensor(x)).numpy(), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(x, xs)  # computed out of place


def test_inplace_positional_as_torch():
    assert nn.ReLU(True).inplace and nn.SELU(True).inplace and nn.LeakyReLU(0.1, True).inplace
    assert nn.ELU(1.0, True).inplace and nn.Hardtanh(-1.0, 1.0, True).inplace and nn.Dropout(0.5, True).inplace


@pytest.mark.parametrize("fn,args", [(F.relu, ()), (F.leaky_relu, (0.1,)), (F.elu, (1.0,)), (F.selu, ()),
                                     (F.hardtanh, (-1.0, 1.0))])
def test_functional_inplace_keyword_and_gradients(fn, args, rng):
    x = Tensor(rng.standard_normal((3, 4)) * 2, requires_grad=True)
    np.testing.assert_array_equal(fn(x, *args, inplace=True).numpy(), fn(x, *args).numpy())
    assert autograd.gradcheck(lambda x: fn(x, *args, inplace=True), [x])


def test_functional_dropout_inplace_keyword():
    autograd.manual_seed(1)
    a = F.dropout(Tensor(np.ones((20, 20))), 0.5, True, True).numpy()
    autograd.manual_seed(1)
    np.testing.assert_array_equal(a, F.dropout(Tensor(np.ones((20, 20))), 0.5, training=True).numpy())


# ---- errors --------------------------------------------------------------------------------------------
def test_module_init_takes_no_arguments():
    class Net(nn.Module):
        def __init__(self, width):
            super().__init__(width)

    with pytest.raises(TypeError, match=r"Module.__init__\(\) takes no arguments.*\(int\) from Net.*super"):
        Net(3)
    with pytest.raises(TypeError, match=r"takes no arguments.*\(name=\)"):
        nn.Module(name="x")


def test_forward_missing_and_parameter_assignment_name_both_spellings():
    class NoForward(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match=r'Module \[NoForward\] is missing the required "forward"'):
        NoForward()(Tensor(np.zeros(1)))
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"parameter 'weight'.*torch.nn.Parameter.*nn.Parameter\(t\)"):
        lin.weight = Tensor(np.zeros((2, 2)))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Early(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(np.zeros(1))
        Early()
