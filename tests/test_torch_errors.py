"""Errors a ported torch program meets name the torch spelling and the tracegrad one (issue: widen the door)."""
import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def test_missing_names_say_torchs_spelling_and_the_nearest_one_here():
    with pytest.raises(AttributeError, match=r"torch\.einsum is not in tracegrad.*matmul"):
        autograd.einsum
    with pytest.raises(AttributeError) as e:  # Python 3.10+ prints "Did you mean: 'unsqueeze'?" from e.value.name
        autograd.randn(2).unsqueez
    assert e.value.name == "unsqueez"
    with pytest.raises(AttributeError, match=r"torch\.nn\.Linaer .*did you mean Linear"):
        nn.Linaer
    with pytest.raises(AttributeError, match=r"torch\.nn\.Transformer .*attention layers"):
        nn.Transformer
    assert not hasattr(autograd.randn(2), "__array_interface__")  # protocol probes stay plain and cheap


def test_backward_of_a_no_grad_result_says_how_to_fix_it():
    x = Tensor(np.ones(3), requires_grad=True)
    with autograd.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True.*outside no_grad"):
        y.backward()


def test_numpy_ufunc_on_a_tensor_that_requires_grad_names_the_tracegrad_op():
    x = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match=r"autograd\.square\(x\) or x\.square\(\)"):
        np.square(x)
    with pytest.raises(TypeError, match=r"tracegrad has no cbrt; compose it"):
        np.cbrt(x)
    assert np.arctan(x).grad_fn.name() == "AtanBackward0"  # a ufunc tracegrad has runs its op, recorded
    assert isinstance(np.exp(x), Tensor) and np.exp(x).requires_grad  # np.exp runs tracegrad's exp, recorded
    y = np.cbrt(x.detach())  # no grad: computed on the array, and a Tensor again (as torch's __array_wrap__)
    assert isinstance(y, Tensor) and np.allclose(y.numpy(), 1.0)


def test_cuda_and_devices_say_there_is_only_the_cpu():
    with pytest.raises(RuntimeError, match="NumPy on the CPU"):
        autograd.device("cuda")
    with pytest.raises(RuntimeError, match="NumPy on the CPU"):
        autograd.zeros(2).to("cuda:0")
    with pytest.raises(RuntimeError, match="NumPy on the CPU"):
        autograd.zeros(2).cuda()
    assert autograd.zeros(2, device="cpu").device == autograd.device("cpu") == "cpu"
    assert autograd.cuda.is_available() is False


def test_inplace_on_a_leaf_that_requires_grad_is_torchs_error():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
        w -= 0.1
    with autograd.no_grad():
        w -= 0.1
    np.testing.assert_allclose(w.numpy(), 0.9)


def test_saving_a_module_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"state_dict\(\)"):
        autograd.save(nn.Linear(2, 2), tmp_path / "m.pt")


def test_a_stale_saved_array_is_named_in_backward():
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = x.exp()
    y.add_(1)  # Exp saved its output for backward
    with pytest.raises(RuntimeError, match=r"output of Exp .*modified by an in-place operation"):
        y.sum().backward()


def test_inference_mode_records_nothing():
    x = Tensor(np.ones(2), requires_grad=True)
    with autograd.inference_mode():
        assert not (x * 2).requires_grad
    with autograd.inference_mode(False):
        assert (x * 2).requires_grad


def test_a_torch_save_file_is_refused_with_how_to_convert_it(tmp_path, torch):
    for zipped in (True, False):
        path = tmp_path / f"w{zipped}.pt"
        torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=zipped)
        with pytest.raises(ValueError, match=r"torch\.save file, a pickle.*never opens"):
            autograd.load(path)
