# Follows: PyTorch notes "Extending PyTorch" -- LinearFunction with ctx.needs_input_grad, MulConstant, gradcheck
# with double inputs, a Linear module built on the Function, and the old-style torch.Tensor(out, in) +
# reset_parameters() custom layer
import json
import math

import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck


# Inherit from Function
class LinearFunction(Function):

    # Note that forward, setup_context, and backward are @staticmethods
    @staticmethod
    def forward(input, weight, bias=None):
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    # inputs is a Tuple of all of the inputs passed to forward.
    # output is the output of the forward().
    def setup_context(ctx, inputs, output):
        input, weight, bias = inputs if len(inputs) == 3 else (*inputs, None)
        ctx.save_for_backward(input, weight, bias)

    # This function has only a single output, so it gets only one gradient
    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None

        # These needs_input_grad checks are optional and there only to
        # improve efficiency.
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)

        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        # ctx is a context object that can be used to stash information
        # for backward computation
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        # We return as many input gradients as there were arguments.
        # Gradients of non-Tensor arguments to forward must be None.
        return grad_output * ctx.constant, None


class MyCube(Function):
    @staticmethod
    def forward(ctx, x):
        result = x ** 3
        dx = 3 * x ** 2
        ctx.save_for_backward(x, dx)
        return result, dx

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        result = grad_output * dx + grad_dx * 6 * x
        return result


linear = LinearFunction.apply
rng = np.random.default_rng(91)

# gradcheck takes a tuple of tensors as input, check if your gradient
# evaluated with these tensors are close enough to numerical
# approximations and returns True if they all verify this condition.
input = (torch.tensor(rng.standard_normal((6, 5)), dtype=torch.double, requires_grad=True),
         torch.tensor(rng.standard_normal((3, 5)), dtype=torch.double, requires_grad=True))
test = gradcheck(linear, input, eps=1e-6, atol=1e-4)
print(test)
test_bias = gradcheck(linear, input + (torch.tensor(rng.standard_normal(3), dtype=torch.double,
                                                    requires_grad=True),), eps=1e-6, atol=1e-4)

out = linear(*input)
out.sum().backward()
grads = [input[0].grad.sum().item(), input[1].grad.sum().item()]

# only the weight needs a gradient: needs_input_grad skips the others
x_fixed = torch.tensor(rng.standard_normal((4, 5)))
w = torch.tensor(rng.standard_normal((2, 5)), requires_grad=True)
linear(x_fixed, w, None).pow(2).sum().backward()
x_fixed_grad_none = x_fixed.grad is None

m = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
MulConstant.apply(m, 2.5).sum().backward()
mul_grad = m.grad.tolist()

c = torch.tensor([1.0, 2.0], dtype=torch.double, requires_grad=True)
cube, dcube = MyCube.apply(c)
(cube.sum() + dcube.sum()).backward()
cube_grad = c.grad.tolist()
cube_check = gradcheck(lambda t: MyCube.apply(t)[0], (torch.tensor([0.5, -1.5], dtype=torch.double,
                                                                   requires_grad=True),))


class Linear(nn.Module):
    def __init__(self, input_features, output_features, bias=True):
        super().__init__()
        self.input_features = input_features
        self.output_features = output_features

        # nn.Parameter is a special kind of Tensor, that will get
        # automatically registered as Module's parameter once it's assigned
        # as an attribute. Parameters and buffers need to be registered, or
        # they won't appear in .parameters() (doesn't apply to buffers), and
        # won't be converted when e.g. .cuda() is called. You can use
        # .register_buffer() to register buffers.
        # nn.Parameters require gradients by default.
        self.weight = nn.Parameter(torch.empty(output_features, input_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(output_features))
        else:
            # You should always register all possible parameters, but the
            # optional ones can be None if you want.
            self.register_parameter('bias', None)

        # Not a very smart way to initialize weights
        nn.init.uniform_(self.weight, -0.1, 0.1)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -0.1, 0.1)

    def forward(self, input):
        # See the autograd section for explanation of what happens here.
        return LinearFunction.apply(input, self.weight, self.bias)

    def extra_repr(self):
        # (Optional)Set the extra information about this module. You can test
        # it by printing an object of this class.
        return 'input_features={}, output_features={}, bias={}'.format(
            self.input_features, self.output_features, self.bias is not None
        )


class OldLinear(nn.Module):
    """The pre-1.0 custom layer style: uninitialized torch.Tensor(out, in), then reset_parameters()."""
    def __init__(self, in_features, out_features):
        super(OldLinear, self).__init__()
        self.weight = nn.Parameter(torch.Tensor(out_features, in_features))
        self.bias = nn.Parameter(torch.Tensor(out_features))
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1. / math.sqrt(self.weight.size(1))
        self.weight.data.uniform_(-stdv, stdv)
        self.bias.data.uniform_(-stdv, stdv)

    def forward(self, input):
        return input.matmul(self.weight.t()) + self.bias


layer = Linear(5, 3)
print(layer)
layer_repr = repr(layer)
nobias = Linear(5, 3, bias=False)
old = OldLinear(5, 3)
bound_ok = bool(old.weight.abs().max() <= 1 / math.sqrt(5) and layer.weight.abs().max() <= 0.1)
for mod in (layer, old):
    with torch.no_grad():
        mod.weight.copy_(torch.tensor(rng.uniform(-0.5, 0.5, (3, 5)), dtype=torch.float32))
        mod.bias.copy_(torch.tensor(rng.uniform(-0.5, 0.5, 3), dtype=torch.float32))
xb = torch.tensor(rng.standard_normal((4, 5)), dtype=torch.float32)
opt = torch.optim.SGD(list(layer.parameters()) + list(old.parameters()), lr=0.1)
for _ in range(3):
    opt.zero_grad()
    loss = layer(xb).pow(2).mean() + old(xb).tanh().sum()
    loss.backward()
    opt.step()

print("RESULT", json.dumps({
    "gradcheck": test, "gradcheck_bias": test_bias, "grads": grads, "x_fixed_grad_none": x_fixed_grad_none,
    "w_grad_sum": w.grad.sum().item(), "mul_grad": mul_grad, "cube_grad": cube_grad, "cube_check": cube_check,
    "layer_repr": layer_repr, "nobias_params": len(list(nobias.parameters())), "bound_ok": bound_ok,
    "loss": loss.item(), "layer_w": layer.weight.flatten().tolist(), "old_b": old.bias.tolist(),
}))
