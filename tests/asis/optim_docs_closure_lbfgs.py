# Follows: torch.optim documentation -- constructing an optimizer (parameters, named_parameters, per-parameter
# options, bias without weight decay), "Taking an optimization step" with optimizer.step(closure), LBFGS
import json

import numpy as np
import torch
import torch.nn as nn
from torch import optim


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = nn.Sequential(nn.Linear(4, 8), nn.Tanh())
        self.classifier = nn.Linear(8, 1)

    def forward(self, x):
        return self.classifier(self.base(x))


rng = np.random.default_rng(40)


def make_model():
    model = Model()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


X = torch.from_numpy(rng.standard_normal((32, 4)).astype(np.float32))
Y = torch.from_numpy((np.sin(X.numpy()).sum(1, keepdims=True)).astype(np.float32))
dataset = [(X[i:i + 8], Y[i:i + 8]) for i in range(0, 32, 8)]
loss_fn = nn.MSELoss()
result = {}

# Constructing it
model = make_model()
var1, var2 = torch.randn(3, requires_grad=True), torch.randn(3, requires_grad=True)
optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
optimizer = optim.Adam([var1, var2], lr=0.0001)
result["adam_groups"] = len(optimizer.param_groups)

# Named parameters
optimizer = optim.SGD(model.named_parameters(), lr=0.01, momentum=0.9)
result["named_param_names"] = optimizer.param_groups[0].get("param_names")
optimizer = optim.Adam([('layer0', var1), ('layer1', var2)], lr=0.0001)

# Per-parameter options
optimizer = optim.SGD([
    {'params': model.base.parameters(), 'lr': 1e-2},
    {'params': model.classifier.parameters()}
], lr=1e-3, momentum=0.9)
result["per_param_lrs"] = [g['lr'] for g in optimizer.param_groups]
result["per_param_momentum"] = [g['momentum'] for g in optimizer.param_groups]

# Taking an optimization step
losses = []
for epoch in range(3):
    for input, target in dataset:
        optimizer.zero_grad()
        output = model(input)
        loss = loss_fn(output, target)
        loss.backward()
        optimizer.step()
    losses.append(loss.item())
result["sgd_losses"] = losses

# weight decay only on non-bias parameters
model = make_model()
bias_params = [p for name, p in model.named_parameters() if 'bias' in name]
others = [p for name, p in model.named_parameters() if 'bias' not in name]
optimizer = optim.SGD([
    {'params': others},
    {'params': bias_params, 'weight_decay': 0}
], weight_decay=1e-2, lr=1e-2)
result["wd"] = [g['weight_decay'] for g in optimizer.param_groups]

# optimizer.step(closure)
losses = []
for input, target in dataset:
    def closure():
        optimizer.zero_grad()
        output = model(input)
        loss = loss_fn(output, target)
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    losses.append(loss.item())
result["closure_losses"] = losses
result["closure_w"] = model.classifier.weight.detach().numpy().ravel().tolist()

# add_param_group, then zero_grad leaves grads None by default
extra = nn.Parameter(torch.ones(2))
optimizer.add_param_group({'params': extra, 'lr': 0.5})
result["added_group"] = [optimizer.param_groups[2]['lr'], optimizer.param_groups[2]['weight_decay']]
(extra ** 2).sum().backward()
optimizer.step()
result["extra"] = extra.tolist()
optimizer.zero_grad()
result["grad_none"] = extra.grad is None

# LBFGS needs a closure that reevaluates the model
model = make_model()
optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=100)
losses = []
for i in range(3):
    def closure():
        optimizer.zero_grad()
        output = model(X)
        loss = loss_fn(output, Y)
        loss.backward()
        return loss
    loss = optimizer.step(closure)
    losses.append(loss.item())
result["lbfgs_losses"] = losses
result["lbfgs_final"] = loss_fn(model(X), Y).item()

model = make_model()
optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=20, history_size=100, line_search_fn="strong_wolfe")
for i in range(3):
    def closure():
        optimizer.zero_grad()
        output = model(X)
        loss = loss_fn(output, Y)
        loss.backward()
        return loss
    optimizer.step(closure)
result["lbfgs_wolfe_final"] = loss_fn(model(X), Y).item()
result["lbfgs_state_keys"] = sorted(k for k in optimizer.state_dict()['state'][0].keys())

print("RESULT", json.dumps(result))
