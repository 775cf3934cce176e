# Follows: PyTorch tutorial "Double Backward with Custom Functions" (Square, Exp saving its output, Sinh saving
# intermediates as outputs, Cube/CubeBackward, gradcheck and gradgradcheck) and the "Extending PyTorch" notes'
# examples of ctx.mark_non_differentiable, ctx.set_materialize_grads, ctx.mark_dirty and @once_differentiable
import json

import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable

result = {}


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # Because we are saving one of the inputs use `save_for_backward`
        # Save non-tensors and non-inputs/non-outputs directly on ctx
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_out):
        # A function support double backward automatically if autograd
        # is able to record the computations performed in backward
        x, = ctx.saved_tensors
        return grad_out * 2 * x


# Use double precision because finite differencing method magnifies errors
x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
result["square_gradcheck"] = torch.autograd.gradcheck(Square.apply, x)
# Use gradcheck to verify second-order derivatives
result["square_gradgradcheck"] = torch.autograd.gradgradcheck(Square.apply, x)


class Exp(torch.autograd.Function):
    # Simple case where everything goes well
    @staticmethod
    def forward(ctx, x):
        # This time we save the output
        result = torch.exp(x)
        # Note that we should use `save_for_backward` here when
        # the tensor saved is an ouptut (or an input).
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_out):
        result, = ctx.saved_tensors
        return result * grad_out


x = torch.tensor(1., requires_grad=True, dtype=torch.double).clone()
# Validate our gradients using gradcheck
result["exp_gradcheck"] = torch.autograd.gradcheck(Exp.apply, x)
result["exp_gradgradcheck"] = torch.autograd.gradgradcheck(Exp.apply, x)


class Sinh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        expx = torch.exp(x)
        expnegx = torch.exp(-x)
        ctx.save_for_backward(expx, expnegx)
        # In order to be able to save the intermediate results, a trick is to
        # include them as our outputs, so that the backward graph is constructed
        return (expx - expnegx) / 2, expx, expnegx

    @staticmethod
    def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
        expx, expnegx = ctx.saved_tensors
        grad_input = grad_out * (expx + expnegx) / 2
        # We cannot skip accumulating these even though we won't use the outputs
        # directly. They will be used later in the second backward.
        grad_input += _grad_out_exp * expx
        grad_input -= _grad_out_negexp * expnegx
        return grad_input


def sinh(x):
    # Create a wrapper that only returns the first output
    return Sinh.apply(x)[0]


x = torch.rand(3, 3, requires_grad=True, dtype=torch.double)
result["sinh_gradcheck"] = torch.autograd.gradcheck(sinh, x)
result["sinh_gradgradcheck"] = torch.autograd.gradgradcheck(sinh, x)


def cube_forward(x):
    return x**3


def cube_backward(grad_out, x):
    return grad_out * 3 * x**2


def cube_backward_backward(grad_out, sav_grad_out, x):
    return grad_out * sav_grad_out * 6 * x


def cube_backward_backward_grad_out(grad_out, x):
    return grad_out * 3 * x**2


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return cube_forward(x)

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return CubeBackward.apply(grad_out, x)


class CubeBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, grad_out, x):
        ctx.save_for_backward(x, grad_out)
        return cube_backward(grad_out, x)

    @staticmethod
    def backward(ctx, grad_out):
        x, sav_grad_out = ctx.saved_tensors
        dx = cube_backward_backward(grad_out, sav_grad_out, x)
        dgrad_out = cube_backward_backward_grad_out(grad_out, x)
        return dgrad_out, dx


x = torch.tensor(2., requires_grad=True, dtype=torch.double)

result["cube_gradcheck"] = torch.autograd.gradcheck(Cube.apply, x)
result["cube_gradgradcheck"] = torch.autograd.gradgradcheck(Cube.apply, x)
y = Cube.apply(x)
g, = torch.autograd.grad(y, x, create_graph=True)
g2, = torch.autograd.grad(g, x)
result["cube_grads"] = [y.item(), g.item(), g2.item()]


# "Extending PyTorch": mark_non_differentiable with a once_differentiable backward
class Func(Function):
    @staticmethod
    def forward(ctx, x):
        sorted, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(x, idx)
        return sorted, idx

    @staticmethod
    @once_differentiable
    def backward(ctx, g1, g2):  # still need to accept g2
        x, idx = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        grad_input.index_add_(0, idx, g1)
        return grad_input


x = torch.tensor([3.0, 1.0, 2.0], requires_grad=True)
s, idx = Func.apply(x)
result["sorted"] = s.tolist()
result["idx"] = idx.tolist()
result["idx_requires_grad"] = idx.requires_grad
(s * torch.tensor([1.0, 10.0, 100.0])).sum().backward()
result["sort_grad"] = x.grad.tolist()


# set_materialize_grads(False): backward gets None for unused outputs
class SimpleFunc(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x)
        return x.clone(), x.clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g1, g2):
        x, = ctx.saved_tensors
        grad_input = torch.zeros_like(x)
        if g1 is not None:  # We must check for None now
            grad_input += g1
        if g2 is not None:
            grad_input += g2
        return grad_input


a = torch.tensor(1., requires_grad=True)
b, _ = SimpleFunc.apply(a)
b.backward()  # g2 will be None
result["materialize"] = a.grad.item()


# mark_dirty: an in-place Function
class AddOneInplace(Function):
    @staticmethod
    def forward(ctx, x):
        x.add_(1)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        return grad_output


a = torch.tensor([1.0, 2.0], requires_grad=True)
c = a.clone()
d = AddOneInplace.apply(c)
(d * d).sum().backward()
result["dirty_same"] = d is c
result["dirty_grad"] = a.grad.tolist()

# once_differentiable refuses double backward
x = torch.tensor([0.5, 1.5], requires_grad=True)
s, _ = Func.apply(x)
g, = torch.autograd.grad(s.sum(), x, create_graph=True)
try:
    torch.autograd.grad(g.sum(), x)
    result["once_double"] = "no error"
except RuntimeError:
    result["once_double"] = "RuntimeError"

print("RESULT", json.dumps(result))
