# Follows: PyTorch "Learn the Basics" -- Automatic Differentiation with torch.autograd (autogradqs_tutorial)
import json

import numpy as np
import torch

x = torch.ones(5)  # input tensor
y = torch.zeros(3)  # expected output
rng = np.random.default_rng(5)
w = torch.tensor(rng.standard_normal((5, 3)), dtype=torch.float32, requires_grad=True)
b = torch.tensor(rng.standard_normal(3), dtype=torch.float32, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

print(f"Gradient function for z = {z.grad_fn}")
print(f"Gradient function for loss = {loss.grad_fn}")
has_grad_fn = z.grad_fn is not None and loss.grad_fn is not None

# Computing gradients
loss.backward()
print(w.grad)
print(b.grad)

# Disabling gradient tracking
z = torch.matmul(x, w) + b
print(z.requires_grad)
req1 = z.requires_grad
with torch.no_grad():
    z = torch.matmul(x, w) + b
print(z.requires_grad)
req2 = z.requires_grad

z = torch.matmul(x, w) + b
z_det = z.detach()
print(z_det.requires_grad)
req3 = z_det.requires_grad

# Tensor gradients and Jacobian products
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
first_call = inp.grad.clone()
out.backward(torch.ones_like(out), retain_graph=True)
second_call = inp.grad.clone()
inp.grad.zero_()
out.backward(torch.ones_like(out), retain_graph=True)
after_zero = inp.grad.clone()

print("RESULT", json.dumps({
    "loss": loss.item(), "w_grad": w.grad.flatten().tolist(), "b_grad": b.grad.tolist(),
    "has_grad_fn": float(has_grad_fn), "req_tracked": float(req1), "req_no_grad": float(req2),
    "req_detached": float(req3), "first_call": first_call.flatten().tolist(),
    "second_call": second_call.flatten().tolist(), "after_zero": after_zero.flatten().tolist(),
}))
