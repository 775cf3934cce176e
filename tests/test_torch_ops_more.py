"""prod, scatter / scatter_add (and their in-place forms), unique, bitwise ops: values and gradients equal torch's."""
import numpy as np
import pytest

import autograd


@pytest.mark.parametrize("values", [[1.0, 0.0, 2.0, 3.0], [1.0, 0.0, 0.0, 2.0], [2.0, -3.0, 4.0, 5.0]])
def test_prod_with_zeros_matches_torch(torch, values):
    grads = []
    for lib in (torch, autograd):
        x = lib.tensor(values, dtype=lib.float64, requires_grad=True)
        (x.prod() + x.reshape(2, 2).prod(dim=1).sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0])


def test_prod_second_order_matches_torch(torch):
    out = []
    for lib in (torch, autograd):
        x = lib.tensor([[1.5, -2.0, 0.5], [2.0, 1.0, 3.0]], dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(x.prod(dim=1).sum(), x, create_graph=True)
        gg, = lib.autograd.grad((g * g).sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    for a, b in zip(out[1], out[0]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_scatter_and_scatter_add_match_torch(torch):
    res = []
    for lib in (torch, autograd):
        x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
        src = lib.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
        idx = lib.tensor([[0, 1, 2], [2, 0, 1]])
        y, z = x.scatter(0, idx, src), x.scatter_add(1, idx, src)
        (y * lib.tensor(np.arange(12.0).reshape(3, 4))).sum().backward()
        (z * z).sum().backward()
        res.append([t.detach().numpy().copy() for t in (y, z, x.grad, src.grad)])
    for a, b in zip(res[1], res[0]):
        np.testing.assert_allclose(a, b)


def test_scatter_in_place_one_hot_as_the_transforms_tutorial(torch):
    for lib in (torch, autograd):
        target = lib.zeros(10, dtype=lib.float).scatter_(0, lib.tensor(3), value=1)
        np.testing.assert_array_equal(target.numpy(), np.eye(10)[3])


def test_scatter_bad_index_is_named():
    with pytest.raises(ValueError, match="scatter: index must be an integer tensor"):
        autograd.zeros(2, 3).scatter(1, autograd.tensor([0.5]), value=1.0)


def test_unique_and_bitwise_match_torch(torch):
    for lib in (torch, autograd):
        values, counts = lib.unique(lib.tensor([3, 1, 3, 2]), return_counts=True)
        assert values.tolist() == [1, 2, 3] and counts.tolist() == [1, 1, 2]
        a, b = lib.tensor([5, 3]), lib.tensor([1, 1])
        assert (a ^ b).tolist() == [4, 2] and (a & b).tolist() == [1, 1] and (a | b).tolist() == [5, 3]
        assert lib.bitwise_xor(a, b).tolist() == [4, 2] and lib.bitwise_not(a).tolist() == [-6, -4]


def test_linalg_matches_torch(torch):
    m = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    res = []
    for lib in (torch, autograd):
        a = lib.tensor(m, requires_grad=True)
        v = lib.tensor([1.0, -2.0, 0.5], dtype=lib.float64, requires_grad=True)
        out = (lib.det(a), lib.linalg.inv(a).sum(), lib.linalg.solve(a, v).sum(), lib.linalg.norm(v),
               lib.linalg.vector_norm(v, 1), lib.linalg.cross(v, v * 2 + 1).sum())
        sum(out).backward()
        res.append([o.item() for o in out] + [a.grad.numpy().copy(), v.grad.numpy().copy()])
    for x, y in zip(res[1], res[0]):
        np.testing.assert_allclose(x, y, rtol=1e-10)


def test_inplace_function_forms(torch):
    for lib in (torch, autograd):
        b = lib.tensor([0.0, 1.0])
        assert lib.sin_(b) is b and np.allclose(b.numpy(), np.sin([0.0, 1.0]))


def test_legacy_typed_constructors_as_pytorch_gan_code_uses_them(torch):
    for lib in (torch, autograd):
        T = lib.FloatTensor
        z = T(np.random.default_rng(0).normal(0, 1, (3, 4)))
        fake = T(3, 1).fill_(1.0)
        assert str(z.dtype).endswith("float32") and tuple(fake.shape) == (3, 1) and fake.sum().item() == 3.0
        assert isinstance(z, lib.FloatTensor) and not isinstance(z, lib.LongTensor)
        assert str(lib.LongTensor([1, 2]).dtype).endswith("int64")


def test_once_differentiable_backward_runs_without_recording():
    from autograd.autograd.function import once_differentiable

    class Square(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            assert not autograd.is_grad_enabled()
            return 2 * x * g

    x = autograd.tensor([3.0], requires_grad=True)
    g, = autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    assert g.item() == 6.0 and not g.requires_grad


def test_index_add_matches_torch(torch):
    res = []
    for lib in (torch, autograd):
        x = lib.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
        src = lib.tensor(np.ones((4, 2)) * [[1.0], [2.0], [3.0], [4.0]], requires_grad=True)
        y = x.index_add(0, lib.tensor([2, 0, 2, 1]), src, alpha=0.5)
        (y * y).sum().backward()
        z = lib.zeros(3).index_add_(0, lib.tensor([1, 2, 0]), lib.tensor([1.0, 2.0, 3.0]))
        res.append([t.detach().numpy().copy() for t in (y, x.grad, src.grad, z)])
    for a, b in zip(res[1], res[0]):
        np.testing.assert_allclose(a, b)


def test_mark_dirty_returns_the_same_tensor_as_torch(torch):
    for lib in (torch, autograd):
        class AddOneInplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        c = a.clone()
        d = AddOneInplace.apply(c)
        (d * 2).sum().backward()
        assert d is c and d.tolist() == [2.0, 3.0] and a.grad.tolist() == [2.0, 2.0]


def test_gradgradcheck_and_size_keyword(torch):
    x = autograd.tensor([0.5, 1.0, 1.5], dtype=autograd.float64, requires_grad=True)
    assert autograd.autograd.gradgradcheck(lambda t: (t.sin() * t).sum(), [x])
    with pytest.raises(autograd.GradcheckError):
        class WrongSecond(autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t)
                return t ** 3

            @staticmethod
            def backward(ctx, g):
                t, = ctx.saved_tensors
                return g * 3 * t.detach() ** 2  # detached: its own derivative is missing
        autograd.autograd.gradgradcheck(WrongSecond.apply, [x])
    for lib in (torch, autograd):
        assert tuple(lib.rand(size=(2, 4)).shape) == (2, 4) and tuple(lib.zeros(size=[3]).shape) == (3,)


def test_grad_stops_at_a_non_leaf_input(torch):
    """autograd.grad w.r.t. an intermediate tensor walks nothing behind it (torch's rule), so that history can be
    differentiated again later (gradcheck of a function of a cloned input needs this)."""
    for lib in (torch, autograd):
        w = lib.tensor([2.0, 3.0], requires_grad=True)
        x = w * 1.5  # an intermediate
        g1, = lib.autograd.grad((x * x).sum(), x)
        g2, = lib.autograd.grad((x ** 3).sum(), x)
        (x.sum()).backward()  # x's own history is still there
        assert g1.tolist() == [6.0, 9.0] and g2.tolist() == [27.0, 60.75] and w.grad.tolist() == [1.5, 1.5]


def test_torch_nn_and_optim_resolve_under_the_engines_name():
    """However a port spells torch.nn (an attribute, a from-import, a dotted import), it finds nn and optim."""
    import nn
    import optim
    import autograd.nn as dotted
    from autograd.nn import Linear
    from autograd.optim.lr_scheduler import StepLR
    import autograd.nn.functional as functional
    assert dotted is nn and Linear is nn.Linear and functional is nn.functional
    assert autograd.optim is optim and StepLR is optim.lr_scheduler.StepLR and autograd.nn.Linear is nn.Linear
