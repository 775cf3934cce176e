# Follows: PyTorch tutorial "Learning PyTorch with Examples" -- PyTorch: Custom nn Modules (polynomial_module.py)
import json
import math

import numpy as np
import torch


class Polynomial3(torch.nn.Module):
    def __init__(self):
        """Instantiate four parameters and assign them as member parameters."""
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f'y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3'


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)


def train(model, steps):
    criterion = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    for t in range(steps):
        y_pred = model(x)
        loss = criterion(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return loss.item()


# the tutorial's random init: compared loosely
torch.manual_seed(0)
model = Polynomial3()
n_params = len(list(model.parameters()))
randn_loss = train(model, 1500)
print(f'Result: {model.string()}')

# deterministic init from NumPy, then the same training: compared closely
model2 = Polynomial3()
with torch.no_grad():
    for param, v in zip(model2.parameters(), np.random.default_rng(4).standard_normal(4)):
        param.fill_(float(v))
loss = train(model2, 500)
print("RESULT", json.dumps({"n_params": n_params, "randn_loss": randn_loss, "loss": loss,
                            "a": model2.a.item(), "b": model2.b.item(), "c": model2.c.item(),
                            "d": model2.d.item(), "names": [n for n, _ in model2.named_parameters()]}))
