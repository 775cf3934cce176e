# Follows: PyTorch "Learning PyTorch with Examples" -- PyTorch: Control Flow + Weight Sharing (DynamicNet, two versions)
import json
import math
import random

import numpy as np
import torch


class DynamicNet(torch.nn.Module):
    def __init__(self):
        """
        In the constructor we instantiate five parameters and assign them as members.
        """
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        """
        For the forward pass of the model, we randomly choose either 4, 5
        and reuse the e parameter to compute the contribution of these orders.
        """
        y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3 + ' \
               f'{self.e.item()} x^4 ? + {self.e.item()} x^5 ?'


# Create Tensors to hold input and outputs.
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Construct our model by instantiating the class defined above
model = DynamicNet()
randn_params_are_scalars = all(p.dim() == 0 for p in model.parameters())
# deterministic starting point instead of torch.randn
with torch.no_grad():
    for p, v in zip(model.parameters(), [0.1, -0.2, 0.05, 0.01, -0.01]):
        p.fill_(v)

# Construct our loss function and an Optimizer. Training this strange model with
# vanilla stochastic gradient descent is tough, so we use momentum
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
random.seed(0)
losses = []
for t in range(1000):
    # Forward pass: Compute predicted y by passing x to the model
    y_pred = model(x)

    # Compute and print loss
    loss = criterion(y_pred, y)
    if t % 200 == 199:
        print(t, loss.item())
        losses.append(loss.item())

    # Zero gradients, perform a backward pass, and update the weights.
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(f'Result: {model.string()}')


# the older version of the same example: reuse one nn.Linear a random number of times
class DynamicLinearNet(torch.nn.Module):
    def __init__(self, D_in, H, D_out):
        super(DynamicLinearNet, self).__init__()
        self.input_linear = torch.nn.Linear(D_in, H)
        self.middle_linear = torch.nn.Linear(H, H)
        self.output_linear = torch.nn.Linear(H, D_out)

    def forward(self, x):
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(random.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        y_pred = self.output_linear(h_relu)
        return y_pred


N, D_in, H, D_out = 16, 50, 20, 5
rng = np.random.default_rng(3)
xs = torch.from_numpy(rng.standard_normal((N, D_in)).astype(np.float32))
ys = torch.from_numpy(rng.standard_normal((N, D_out)).astype(np.float32))
net = DynamicLinearNet(D_in, H, D_out)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, tuple(p.shape)).astype(np.float32)))
criterion = torch.nn.MSELoss(reduction='sum')
optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
random.seed(1)
net_losses = []
for t in range(60):
    y_pred = net(xs)
    loss = criterion(y_pred, ys)
    net_losses.append(loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print("RESULT", json.dumps({
    "randn_params_are_scalars": randn_params_are_scalars, "losses": losses,
    "params": [p.item() for p in model.parameters()], "net_losses": net_losses[::10] + net_losses[-1:],
    "middle_grad_norm": net.middle_linear.weight.grad.norm().item(),
}))
