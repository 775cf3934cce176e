# Follows: PyTorch tutorial "What is torch.nn really?" -- nn.Module, nn.Linear, optim, Dataset, DataLoader
import json
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(21)
n_pix = 64
protos = rng.uniform(0, 1, (10, n_pix))
y_train = rng.integers(0, 10, 320)
x_train = np.clip(protos[y_train] + 0.25 * rng.standard_normal((320, n_pix)), 0, 0.999).astype(np.float32)
y_valid = rng.integers(0, 10, 100)
x_valid = np.clip(protos[y_valid] + 0.25 * rng.standard_normal((100, n_pix)), 0, 0.999).astype(np.float32)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape

loss_func = F.cross_entropy
bs, lr, epochs = 64, 0.5, 2
W0 = torch.from_numpy((np.random.default_rng(22).standard_normal((n_pix, 10)) / math.sqrt(n_pix)).astype(np.float32))


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(n_pix, 10) / math.sqrt(n_pix))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
with torch.no_grad():
    model.weights.copy_(W0)  # deterministic start
before = loss_func(model(x_train[0:bs]), y_train[0:bs]).item()


def fit():
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
                for p in model.parameters():
                    p -= p.grad * lr
                model.zero_grad()


fit()
module_loss = loss_func(model(x_train[0:bs]), y_train[0:bs]).item()


# Refactor using nn.Linear
class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(n_pix, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Logistic()
    with torch.no_grad():
        model.lin.weight.copy_(W0.t())
        model.lin.bias.zero_()
    return model, optim.SGD(model.parameters(), lr=lr)


# Refactor using optim
model, opt = get_model()
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        end_i = start_i + bs
        xb = x_train[start_i:end_i]
        yb = y_train[start_i:end_i]
        pred = model(xb)
        loss = loss_func(pred, yb)

        loss.backward()
        opt.step()
        opt.zero_grad()
optim_loss = loss_func(model(x_train[0:bs]), y_train[0:bs]).item()

# Refactor using Dataset
train_ds = TensorDataset(x_train, y_train)
model, opt = get_model()
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = train_ds[i * bs: i * bs + bs]
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
dataset_loss = loss_func(model(x_train[0:bs]), y_train[0:bs]).item()

# Refactor using DataLoader (in order here, so that the numbers are comparable)
train_dl = DataLoader(train_ds, batch_size=bs)
model, opt = get_model()
for epoch in range(epochs):
    for xb, yb in train_dl:
        pred = model(xb)
        loss = loss_func(pred, yb)
        loss.backward()
        opt.step()
        opt.zero_grad()
dataloader_loss = loss_func(model(x_train[0:bs]), y_train[0:bs]).item()

# Add validation: shuffled training batches, model.train() / model.eval()
valid_ds = TensorDataset(x_valid, y_valid)


def get_data(train_ds, valid_ds, bs):
    return (
        DataLoader(train_ds, batch_size=bs, shuffle=True),
        DataLoader(valid_ds, batch_size=bs * 2),
    )


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)

    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()

    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)

        model.eval()
        with torch.no_grad():
            losses, nums = zip(
                *[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl]
            )
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)
    return val_loss


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
model, opt = get_model()
val_loss = fit(epochs, model, loss_func, opt, train_dl, valid_dl)
val_acc = accuracy(model(x_valid), y_valid).item()

print("RESULT", json.dumps({"before": before, "module_loss": module_loss, "optim_loss": optim_loss,
                            "dataset_loss": dataset_loss, "dataloader_loss": dataloader_loss,
                            "val_loss": float(val_loss), "val_acc": val_acc}))
