# Follows: PyTorch tutorial "Learning PyTorch with Examples" -- PyTorch: optim (polynomial_optim.py)
import json
import math

import numpy as np
import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
rng = np.random.default_rng(3)
with torch.no_grad():
    model[0].weight.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (1, 3)).astype(np.float32)))
    model[0].bias.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (1,)).astype(np.float32)))
loss_fn = torch.nn.MSELoss(reduction='sum')

# Use the optim package to define an Optimizer that will update the weights of the model for us.
learning_rate = 1e-3
optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
for t in range(300):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

linear_layer = model[0]
print("RESULT", json.dumps({"loss": loss.item(), "bias": linear_layer.bias.item(),
                            "w0": linear_layer.weight[:, 0].item(), "w1": linear_layer.weight[:, 1].item(),
                            "w2": linear_layer.weight[:, 2].item()}))
