# Follows: torch.optim documentation -- "How to adjust learning rate" (ExponentialLR, MultiStepLR, chaining, StepLR)
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, StepLR

rng = np.random.default_rng(16)
dataset = [(torch.from_numpy(rng.standard_normal((4, 3)).astype(np.float32)),
            torch.from_numpy(rng.standard_normal((4, 1)).astype(np.float32))) for _ in range(3)]
loss_fn = nn.MSELoss()


def make_model():
    model = nn.Linear(3, 1)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[0.1, -0.2, 0.3]]))
        model.bias.fill_(0.05)
    return model


def run(make_schedulers, epochs=12, lr=0.1):
    model = make_model()
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    schedulers = make_schedulers(optimizer)
    lrs = []
    for epoch in range(epochs):
        for input, target in dataset:
            optimizer.zero_grad()
            output = model(input)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
        for scheduler in schedulers:
            scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs, loss.item(), schedulers[-1].get_last_lr()


results = {}
lrs, loss, last = run(lambda opt: [ExponentialLR(opt, gamma=0.9)])
results.update(exp_lrs=lrs, exp_loss=loss, exp_last=last)
# chaining schedulers: each applies its own factor in turn
lrs, loss, last = run(lambda opt: [ExponentialLR(opt, gamma=0.9), MultiStepLR(opt, milestones=[3, 8], gamma=0.1)])
results.update(chain_lrs=lrs, chain_loss=loss, chain_last=last)
lrs, loss, last = run(lambda opt: [StepLR(opt, step_size=4, gamma=0.1)])
results.update(step_lrs=lrs, step_loss=loss)
lrs, loss, last = run(lambda opt: [LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)])
results.update(lambda_lrs=lrs, lambda_loss=loss)
lrs, loss, last = run(lambda opt: [CosineAnnealingLR(opt, T_max=10, eta_min=0.001)])
results.update(cos_lrs=lrs, cos_loss=loss)
# the scheduler reached through the optim package, as many scripts write it
lrs, loss, last = run(lambda opt: [optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)])
results.update(attr_step_lrs=lrs)
print("RESULT", json.dumps(results))
