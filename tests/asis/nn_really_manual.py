# Follows: PyTorch tutorial "What is torch.nn really?" -- neural net from scratch, then F.cross_entropy
import json
import math

import numpy as np
import torch
import torch.nn.functional as F

# generated data standing in for MNIST (pixels in [0, 1), 10 classes)
rng = np.random.default_rng(19)
n_pix = 64
protos = rng.uniform(0, 1, (10, n_pix))
y_train = rng.integers(0, 10, 500)
x_train = np.clip(protos[y_train] + 0.25 * rng.standard_normal((500, n_pix)), 0, 0.999).astype(np.float32)
y_valid = rng.integers(0, 10, 100)
x_valid = np.clip(protos[y_valid] + 0.25 * rng.standard_normal((100, n_pix)), 0, 0.999).astype(np.float32)

x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print(x_train, y_train)
print(x_train.shape)
print(y_train.min(), y_train.max())


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


def run(weights, bias, loss_func, model_fn, epochs=2):
    def model(xb):
        return model_fn(xb @ weights + bias)

    bs = 64  # batch size
    lr = 0.5  # learning rate
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)

            loss.backward()
            with torch.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    return loss_func(model(xb), yb).item(), accuracy(model(x_valid), y_valid).item(), weights.norm().item()


w_np = (np.random.default_rng(20).standard_normal((n_pix, 10)) / math.sqrt(n_pix)).astype(np.float32)

# deterministic weights: the from-scratch model with our own log_softmax and nll
weights = torch.from_numpy(w_np.copy())
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)
bs = 64
xb = x_train[0:bs]
preds = (lambda xb: log_softmax(xb @ weights + bias))(xb)
first_loss = nll(preds, y_train[0:bs]).item()
first_acc = accuracy(preds, y_train[0:bs]).item()
manual = run(weights, bias, nll, log_softmax)

# the same with F.cross_entropy (log_softmax and nll combined)
weights = torch.from_numpy(w_np.copy())
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)
functional = run(weights, bias, F.cross_entropy, lambda x: x)

# the tutorial's own init (Xavier-style torch.randn), compared loosely
weights = torch.randn(n_pix, 10) / math.sqrt(n_pix)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)
randn_run = run(weights, bias, F.cross_entropy, lambda x: x)

print("RESULT", json.dumps({
    "n": n, "c": c, "y_min": y_train.min().item(), "y_max": y_train.max().item(),
    "first_loss": first_loss, "first_acc": first_acc,
    "manual_loss": manual[0], "manual_acc": manual[1], "manual_w_norm": manual[2],
    "functional_loss": functional[0], "functional_acc": functional[1], "functional_w_norm": functional[2],
    "randn_acc": randn_run[1],
}))
