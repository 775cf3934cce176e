# Follows: PyTorch docs torch.autograd.grad (create_graph) and the "Jacobians, Hessians, hvp, vhp" tutorial --
# double backward, Hessian-vector products, a gradient penalty, torch.autograd.functional
import json

import numpy as np
import torch
import torch.nn as nn
from torch.autograd.functional import hessian, hvp, jacobian, vjp

rng = np.random.default_rng(101)

# second derivative of a scalar function
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
dy_dx, = torch.autograd.grad(y, x, create_graph=True)
d2y_dx2, = torch.autograd.grad(dy_dx, x)
res = {"dy_dx": dy_dx.item(), "d2y_dx2": d2y_dx2.item()}

# double backward through .backward(create_graph=True)
w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
loss = (w.sin() * w).sum()
loss.backward(create_graph=True)
g = w.grad.clone()
grad_norm = w.grad.pow(2).sum()
w.grad = None
grad_norm.backward()
res.update(first_grad=g.tolist(), grad_norm_grad=w.grad.tolist())


# Hessian-vector product by double backprop
def f(v):
    return (v ** 2).sum() * v.prod() + torch.exp(v).sum()


v = torch.tensor([0.3, -0.7, 1.1], requires_grad=True)
vec = torch.tensor([1.0, 0.5, -2.0])
grad_f, = torch.autograd.grad(f(v), v, create_graph=True)
hv, = torch.autograd.grad(grad_f, v, grad_outputs=vec, retain_graph=True)
res["hv_double_backprop"] = hv.tolist()
res["hv_dot_form"] = torch.autograd.grad((grad_f * vec).sum(), v)[0].tolist()

# torch.autograd.functional
inp = v.detach()
res["hessian"] = hessian(f, inp).flatten().tolist()
_, hvp_out = hvp(f, inp, vec)
res["hvp"] = hvp_out.tolist()


def exp_reducer(x):
    return x.exp().sum(dim=1)


xin = torch.tensor(rng.uniform(0, 1, (2, 2)), dtype=torch.float32)
res["jacobian"] = jacobian(exp_reducer, xin).flatten().tolist()
_, vjp_out = vjp(exp_reducer, xin, torch.ones(2))
res["vjp"] = vjp_out.flatten().tolist()

# a gradient penalty on a small network: the penalty's gradient reaches the weights
net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.tensor(rng.uniform(-0.6, 0.6, p.shape), dtype=torch.float32))
data = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32, requires_grad=True)
out = net(data)
gradients = torch.autograd.grad(outputs=out, inputs=data, grad_outputs=torch.ones_like(out),
                                create_graph=True, retain_graph=True)[0]
penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
penalty.backward()
res["penalty"] = penalty.item()
res["penalty_w_grad"] = net[0].weight.grad.flatten().tolist()[:6]

# grad of a sum of several outputs w.r.t. several inputs, allow_unused
a = torch.tensor([1.0, 2.0], requires_grad=True)
b = torch.tensor([3.0, 4.0], requires_grad=True)
unused = torch.tensor([5.0], requires_grad=True)
ga, gb, gu = torch.autograd.grad([(a * b).sum(), (a ** 2).sum()], [a, b, unused], allow_unused=True)
res.update(ga=ga.tolist(), gb=gb.tolist(), gu_none=gu is None)

print("RESULT", json.dumps(res))
