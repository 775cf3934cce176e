# Follows: PyTorch tutorial "Learning PyTorch with Examples" -- PyTorch: Tensors and autograd (polynomial_autograd.py)
import json
import math

import numpy as np
import torch

dtype = torch.float
device = "cuda" if torch.cuda.is_available() else "cpu"
torch.set_default_device(device)

# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)

# Weights with requires_grad=True; deterministic values from NumPy
init = np.random.default_rng(1).standard_normal(4)
a = torch.tensor(init[0], dtype=dtype, requires_grad=True)
b = torch.tensor(init[1], dtype=dtype, requires_grad=True)
c = torch.tensor(init[2], dtype=dtype, requires_grad=True)
d = torch.tensor(init[3], dtype=dtype, requires_grad=True)

initial_loss = None
learning_rate = 1e-6
for t in range(500):
    # Forward pass: compute predicted y using operations on Tensors.
    y_pred = a + b * x + c * x ** 2 + d * x ** 3

    # Compute and print loss using operations on Tensors.
    loss = (y_pred - y).pow(2).sum()
    if initial_loss is None:
        initial_loss = loss.item()
    if t % 100 == 99:
        print(t, loss.item())

    # Use autograd to compute the backward pass.
    loss.backward()
    grad_norm = math.sqrt(sum(float(p.grad) ** 2 for p in (a, b, c, d)))

    # Manually update weights using gradient descent. Wrap in torch.no_grad()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad

        # Manually zero the gradients after updating weights
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None

print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
print("RESULT", json.dumps({"initial_loss": initial_loss, "loss": loss.item(), "a": a.item(), "b": b.item(),
                            "c": c.item(), "d": d.item(), "last_grad_norm": grad_norm,
                            "requires_grad": float(a.requires_grad), "grad_is_none": float(a.grad is None)}))
