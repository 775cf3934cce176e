# Follows: PyTorch tutorial "Learning PyTorch with Examples" -- PyTorch: nn (polynomial_nn.py)
import json
import math

import numpy as np
import torch

# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Prepare the input tensor (x, x^2, x^3).
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

# Use the nn package to define our model as a sequence of layers.
model = torch.nn.Sequential(
    torch.nn.Linear(3, 1),
    torch.nn.Flatten(0, 1)
)
# deterministic start (NumPy) so that both engines fit the same model
rng = np.random.default_rng(2)
with torch.no_grad():
    model[0].weight.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (1, 3)).astype(np.float32)))
    model[0].bias.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, (1,)).astype(np.float32)))

loss_fn = torch.nn.MSELoss(reduction='sum')

learning_rate = 1e-6
for t in range(500):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())

    # Zero the gradients before running the backward pass.
    model.zero_grad()
    loss.backward()

    # Update the weights using gradient descent.
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad

# You can access the first layer of `model` like accessing the first item of a list
linear_layer = model[0]
print(f'Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + '
      f'{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3')
print("RESULT", json.dumps({"loss": loss.item(), "bias": linear_layer.bias.item(),
                            "w0": linear_layer.weight[:, 0].item(), "w1": linear_layer.weight[:, 1].item(),
                            "w2": linear_layer.weight[:, 2].item(), "xx_shape": list(xx.shape)}))
