# Follows: PyTorch tutorial "Learning PyTorch with Examples" -- PyTorch: Tensors (polynomial_tensor.py)
import json
import math

import numpy as np
import torch

dtype = torch.float
device = torch.device("cpu")
# device = torch.device("cuda:0")  # Uncomment this to run on GPU

# Create random input and output data
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)


def fit(a, b, c, d, steps=500):
    learning_rate = 1e-6
    for t in range(steps):
        # Forward pass: compute predicted y
        y_pred = a + b * x + c * x ** 2 + d * x ** 3

        # Compute and print loss
        loss = (y_pred - y).pow(2).sum().item()

        # Backprop to compute gradients of a, b, c, d with respect to loss
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x ** 2).sum()
        grad_d = (grad_y_pred * x ** 3).sum()

        # Update weights using gradient descent
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return loss, a, b, c, d


# deterministic weights (the tutorial's numbers don't matter; NumPy makes them equal across engines)
init = np.random.default_rng(0).standard_normal(4).astype(np.float32)
a, b, c, d = (torch.tensor(v, device=device, dtype=dtype) for v in init)
loss, a, b, c, d = fit(a, b, c, d)

# the tutorial's own init: random scalars from torch.randn
torch.manual_seed(0)
a2 = torch.randn((), device=device, dtype=dtype)
b2 = torch.randn((), device=device, dtype=dtype)
c2 = torch.randn((), device=device, dtype=dtype)
d2 = torch.randn((), device=device, dtype=dtype)
loss2, *_ = fit(a2, b2, c2, d2, steps=1500)

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
print("RESULT", json.dumps({"loss": loss, "a": a.item(), "b": b.item(), "c": c.item(), "d": d.item(),
                            "randn_loss": loss2}))
