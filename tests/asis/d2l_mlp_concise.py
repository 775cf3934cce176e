# Follows: d2l.ai "Concise Implementation of Multilayer Perceptrons" (Fashion-MNIST replaced by generated data)
import json

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(10)
centers = rng.standard_normal((10, 64)).astype(np.float32)
y_np = rng.integers(0, 10, 300)
X_np = (centers[y_np] + 0.8 * rng.standard_normal((300, 64))).astype(np.float32).reshape(300, 1, 8, 8)
train_iter = DataLoader(TensorDataset(torch.from_numpy(X_np), torch.from_numpy(y_np)), batch_size=32, shuffle=True)

net = nn.Sequential(nn.Flatten(),
                    nn.Linear(64, 32),
                    nn.ReLU(),
                    nn.Linear(32, 10))


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721
        nn.init.normal_(m.weight, std=0.01)


torch.manual_seed(0)
net.apply(init_weights)
w_std = net[1].weight.std().item()

batch_size, lr, num_epochs = 32, 0.5, 3
loss = nn.CrossEntropyLoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=lr)

for epoch in range(num_epochs):
    net.train()
    total_loss, total_correct, n = 0.0, 0.0, 0
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        total_loss += l.sum().item()
        total_correct += (y_hat.argmax(axis=1) == y).sum().item()
        n += y.numel()

net.eval()
with torch.no_grad():
    test_acc = (net(torch.from_numpy(X_np)).argmax(dim=1) == torch.from_numpy(y_np)).float().mean().item()
print("RESULT", json.dumps({"init_w_std": w_std, "train_loss": total_loss / n, "train_acc": total_correct / n,
                            "test_acc": test_acc, "n": n}))
