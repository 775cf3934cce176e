"""Custom functions in torch's ctx style, including several outputs and double backward through saved outputs."""
import numpy as np
import pytest

import autograd


def _cube(lib):
    class MyCube(lib.autograd.Function):
        """The 'Extending PyTorch' example: two outputs, the second saved for a double backward."""

        @staticmethod
        def forward(x):
            return x ** 3, 3 * x ** 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0], output[1])

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            return grad_output * dx + grad_dx * 6 * x
    return MyCube


def test_two_outputs_first_and_second_order_match_torch(torch):
    results = []
    for lib in (torch, autograd):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        y, dy = _cube(lib).apply(x)
        (y.sum() + (dy * dy).sum()).backward(retain_graph=True)
        g, = lib.autograd.grad(_cube(lib).apply(x)[0].sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        results.append([t.detach().numpy().copy() for t in (y, dy, x.grad, g, gg)])
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_two_outputs_pass_gradcheck_and_show_under_the_class_name():
    cube = _cube(autograd)
    x = autograd.tensor([0.3, -0.7], dtype=autograd.float64, requires_grad=True)
    assert autograd.gradcheck(lambda t: cube.apply(t)[0] * cube.apply(t)[1], [x])
    y, dy = cube.apply(x)
    assert "MyCube" in {n.op for n in autograd.Graph.of(y, dy)}


def test_an_integer_output_is_a_constant():
    class WithIndex(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x.argmax()

        @staticmethod
        def backward(ctx, g, g_index):
            assert g_index is None
            return g * 2

    x = autograd.tensor([1.0, 3.0, 2.0], requires_grad=True)
    y, i = WithIndex.apply(x)
    assert i.item() == 1 and not i.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0)


def test_wrong_number_of_gradients_is_named():
    class Bad(autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradients, but forward took 2 inputs"):
        Bad.apply(x, x).sum().backward()
