# Follows: PyTorch notes "Autograd mechanics" and "A Gentle Introduction to torch.autograd" (grad modes, in-place)
import json

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(11)

# requires_grad propagates from any input that requires it
x = torch.tensor(rng.standard_normal((5, 5)), dtype=torch.float32)
y = torch.tensor(rng.standard_normal((5, 5)), dtype=torch.float32)
z = torch.tensor(rng.standard_normal((5, 5)), dtype=torch.float32, requires_grad=True)
a = x + y
b = a + z
flags = {"a_requires_grad": a.requires_grad, "b_requires_grad": b.requires_grad,
         "z_is_leaf": z.is_leaf, "b_is_leaf": b.is_leaf, "a_grad_fn_none": a.grad_fn is None}

# The graph: grad_fn and its next_functions
c = (z * 2).sum()
print(c.grad_fn)
print(c.grad_fn.next_functions)
print(c.grad_fn.next_functions[0][0].next_functions)
leaf_node = c.grad_fn.next_functions[0][0].next_functions[0][0]
graph = {"c_fn": c.grad_fn.name(),
         "leaf_has_variable": hasattr(leaf_node, "variable") and leaf_node.variable is z}

# Grad modes
with torch.no_grad():
    nograd = (z * 2).requires_grad
with torch.enable_grad():
    enabled = (z * 2).requires_grad
torch.set_grad_enabled(False)
set_false = (z * 2).requires_grad
torch.set_grad_enabled(True)
with torch.set_grad_enabled(False):
    ctx_false = (z * 2).requires_grad
is_enabled = torch.is_grad_enabled()


@torch.no_grad()
def doubler(t):
    return t * 2


decorated = doubler(z).requires_grad
modes = {"nograd": nograd, "enabled": enabled, "set_false": set_false, "ctx_false": ctx_false,
         "is_enabled": is_enabled, "decorated": decorated}

# Retaining gradients of non-leaf tensors, and hooks
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = w * w
h.retain_grad()
seen = []
w.register_hook(lambda g: seen.append(g.tolist()))
h_hook = h.register_hook(lambda g: g * 10)
out = h.sum()
out.backward()
hooks = {"h_grad": h.grad.tolist(), "w_grad": w.grad.tolist(), "seen": seen}
h_hook.remove()

# In-place correctness checks: torch raises instead of computing a wrong gradient
p = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
s = p.sigmoid()
s.mul_(2)  # sigmoid's backward needs its output, which was just modified
try:
    s.sum().backward()
    inplace_error = False
except RuntimeError as e:
    print("RuntimeError:", e)
    inplace_error = True

# modifying a leaf that requires grad in place is refused
try:
    p.add_(1)
    leaf_error = False
except RuntimeError as e:
    print("RuntimeError:", e)
    leaf_error = True

# under no_grad the same in-place update is how optimizers work
with torch.no_grad():
    p.add_(1)
leaf_after = p.tolist()

# an in-place op whose backward does not need the overwritten value is fine
q = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
r = q * 3
r.add_(1)
r.sum().backward()
q_grad = q.grad.tolist()

# calling backward twice without retain_graph
u = torch.tensor([1.0, 2.0], requires_grad=True)
v = (u.exp() * u).sum()
v.backward()
try:
    v.backward()
    twice_error = False
except RuntimeError:
    twice_error = True

# backward on a non-scalar without a gradient argument
try:
    (u * 2).backward()
    nonscalar_error = False
except RuntimeError:
    nonscalar_error = True

# Freezing parameters: only the new classifier receives gradients
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
with torch.no_grad():
    for prm in model.parameters():
        prm.copy_(torch.tensor(rng.uniform(-0.5, 0.5, prm.shape), dtype=torch.float32))
for prm in model.parameters():
    prm.requires_grad_(False)
model[2] = nn.Linear(8, 2)
with torch.no_grad():
    model[2].weight.copy_(torch.tensor(rng.uniform(-0.5, 0.5, (2, 8)), dtype=torch.float32))
    model[2].bias.zero_()
inp = torch.tensor(rng.standard_normal((6, 4)), dtype=torch.float32)
model(inp).pow(2).mean().backward()
frozen = {"frozen_grad_none": model[0].weight.grad is None,
          "head_grad": model[2].weight.grad.abs().sum().item(),
          "n_trainable": sum(prm.numel() for prm in model.parameters() if prm.requires_grad)}

print("RESULT", json.dumps({**flags, **graph, **modes, **hooks, "inplace_error": inplace_error,
                            "leaf_error": leaf_error, "leaf_after": leaf_after, "q_grad": q_grad,
                            "twice_error": twice_error, "nonscalar_error": nonscalar_error, **frozen}))
