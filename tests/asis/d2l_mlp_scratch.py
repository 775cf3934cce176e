# Follows: d2l.ai "Implementation of Multilayer Perceptrons from Scratch" (Fashion-MNIST replaced by generated data)
import json
import random

import numpy as np
import torch
from torch import nn

# generated 10-class data standing in for Fashion-MNIST (8x8 "images")
rng = np.random.default_rng(8)
centers = rng.standard_normal((10, 64)).astype(np.float32)
y_np = rng.integers(0, 10, 300)
X_np = (centers[y_np] + 0.8 * rng.standard_normal((300, 64))).astype(np.float32).reshape(300, 1, 8, 8)
features, labels = torch.from_numpy(X_np), torch.from_numpy(y_np)


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    random.shuffle(indices)  # python's random: the same order in every engine
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


num_inputs, num_outputs, num_hiddens = 64, 10, 32


def init_params(randn):
    W1 = nn.Parameter(randn(num_inputs, num_hiddens) * 0.01)
    b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
    W2 = nn.Parameter(randn(num_hiddens, num_outputs) * 0.01)
    b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
    return [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def accuracy(y_hat, y):
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


def run(randn, seed):
    random.seed(seed)
    params = init_params(randn)
    W1, b1, W2, b2 = params

    def net(X):
        X = X.reshape((-1, num_inputs))
        H = relu(X @ W1 + b1)  # Here '@' stands for matrix multiplication
        return (H @ W2 + b2)

    loss = nn.CrossEntropyLoss(reduction='none')
    num_epochs, lr = 3, 0.5
    updater = torch.optim.SGD(params, lr=lr)
    for epoch in range(num_epochs):
        metric_loss, metric_acc, n = 0.0, 0.0, 0
        for X, y in data_iter(32, features, labels):
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741
            updater.zero_grad()
            l.mean().backward()
            updater.step()
            metric_loss += float(l.sum())
            metric_acc += accuracy(y_hat, y)
            n += y.numel()
    with torch.no_grad():
        test_acc = accuracy(net(features), labels) / len(labels)
    return metric_loss / n, metric_acc / n, test_acc, W1.detach().norm().item()


# deterministic init from NumPy, compared closely
np_rng = np.random.default_rng(9)
loss_np, acc_np, test_np, w1n = run(lambda *s: torch.from_numpy(np_rng.standard_normal(s).astype(np.float32)), 0)
# the chapter's torch.randn init, compared loosely
torch.manual_seed(0)
loss_r, acc_r, test_r, _ = run(lambda *s: torch.randn(*s, requires_grad=True), 0)
print("RESULT", json.dumps({"train_loss": loss_np, "train_acc": acc_np, "test_acc": test_np, "W1_norm": w1n,
                            "randn_train_loss": loss_r, "randn_test_acc": test_r}))
