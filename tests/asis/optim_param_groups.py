# Follows: torch.optim documentation -- "Per-parameter options" and "Taking an optimization step"
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU())
        self.classifier = nn.Linear(8, 3)

    def forward(self, x):
        return self.classifier(self.base(x))


def make_model(seed):
    model = Model()
    rng = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.4, 0.4, tuple(p.shape)).astype(np.float32)))
    return model


rng = np.random.default_rng(15)
dataset = [(torch.from_numpy(rng.standard_normal((8, 6)).astype(np.float32)),
            torch.from_numpy(rng.integers(0, 3, 8))) for _ in range(5)]
loss_fn = nn.CrossEntropyLoss()


def train(model, optimizer, epochs=3):
    for epoch in range(epochs):
        for input, target in dataset:
            optimizer.zero_grad()
            output = model(input)
            loss = loss_fn(output, target)
            loss.backward()
            optimizer.step()
    return loss.item()


results = {}

# per-parameter options: the classifier keeps the default lr, the base gets its own
model = make_model(0)
optimizer = optim.SGD([
    {'params': model.base.parameters(), 'lr': 1e-2},
    {'params': model.classifier.parameters()}
], lr=1e-3, momentum=0.9)
results["sgd_groups_loss"] = train(model, optimizer)
results["group_lrs"] = [g['lr'] for g in optimizer.param_groups]
results["group_momentum"] = [g['momentum'] for g in optimizer.param_groups]
results["n_groups"] = len(optimizer.param_groups)

# Adam with different hyper-parameters per group, then add_param_group
model = make_model(1)
optimizer = optim.Adam([
    {'params': model.base[0].parameters()},
    {'params': model.base[2].parameters(), 'lr': 3e-3, 'weight_decay': 1e-2},
], lr=1e-2, betas=(0.9, 0.99))
optimizer.add_param_group({'params': model.classifier.parameters(), 'lr': 1e-3})
results["adam_groups_loss"] = train(model, optimizer)
results["adam_group_lrs"] = [g['lr'] for g in optimizer.param_groups]
results["adam_classifier_w"] = model.classifier.weight.flatten().tolist()

# changing the learning rate of a group during training
for param_group in optimizer.param_groups:
    param_group['lr'] = param_group['lr'] * 0.5
results["halved_loss"] = train(model, optimizer, epochs=1)

# optimizer.step(closure), as used by algorithms that re-evaluate the function
model = make_model(2)
optimizer = optim.SGD(model.parameters(), lr=0.05)
for input, target in dataset:
    def closure():
        optimizer.zero_grad()
        output = model(input)
        loss = loss_fn(output, target)
        loss.backward()
        return loss
    closure_loss = optimizer.step(closure)
results["closure_loss"] = closure_loss.item()
results["final_base_w_norm"] = model.base[0].weight.norm().item()
print("RESULT", json.dumps(results))
