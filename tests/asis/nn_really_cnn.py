# Follows: PyTorch tutorial "What is torch.nn really?" -- Mnist_CNN, nn.Sequential with Lambda, WrappedDataLoader, GPU
import json

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch import optim
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(23)
side = 8
protos = rng.uniform(0, 1, (10, side * side))
y_train = rng.integers(0, 10, 128)
x_train = np.clip(protos[y_train] + 0.2 * rng.standard_normal((128, side * side)), 0, 0.999).astype(np.float32)
y_valid = rng.integers(0, 10, 64)
x_valid = np.clip(protos[y_valid] + 0.2 * rng.standard_normal((64, side * side)), 0, 0.999).astype(np.float32)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
train_ds, valid_ds = TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid)
bs, lr, epochs = 32, 0.1, 2
loss_func = F.cross_entropy


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
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
    return float(val_loss)


def get_data(train_ds, valid_ds, bs):
    return DataLoader(train_ds, batch_size=bs, shuffle=True), DataLoader(valid_ds, batch_size=bs * 2)


def init_(model, seed):
    g = np.random.default_rng(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(g.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, side, side)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 1)
        return xb.view(-1, xb.size(1))


# deterministic part: one fixed batch, one SGD step with momentum
model = Mnist_CNN()
init_(model, 24)
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
step_losses = [loss_batch(model, loss_func, x_train[:bs], y_train[:bs], opt)[0] for _ in range(3)]

# full fit with shuffled batches: compared loosely
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
cnn_val_loss = fit(epochs, model, loss_func, opt, train_dl, valid_dl)


# nn.Sequential with a custom Lambda layer
class Lambda(nn.Module):
    def __init__(self, func):
        super().__init__()
        self.func = func

    def forward(self, x):
        return self.func(x)


def preprocess(x, y):
    return x.view(-1, 1, side, side), y


class WrappedDataLoader:
    def __init__(self, dl, func):
        self.dl = dl
        self.func = func

    def __len__(self):
        return len(self.dl)

    def __iter__(self):
        for b in self.dl:
            yield (self.func(*b))


dev = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def preprocess_dev(x, y):
    return x.view(-1, 1, side, side).to(dev), y.to(dev)


train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
train_dl = WrappedDataLoader(train_dl, preprocess_dev)
valid_dl = WrappedDataLoader(valid_dl, preprocess_dev)

model = nn.Sequential(
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
    nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    Lambda(lambda x: x.view(x.size(0), -1)),
)
init_(model, 25)
model.to(dev)
opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
xb0, yb0 = preprocess_dev(x_train[:bs], y_train[:bs])
seq_first = loss_batch(model, loss_func, xb0, yb0)[0]
seq_val_loss = fit(epochs, model, loss_func, opt, train_dl, valid_dl)

print("RESULT", json.dumps({"step_losses": step_losses, "cnn_val_loss": cnn_val_loss, "seq_first": seq_first,
                            "seq_val_loss": seq_val_loss, "n_batches": len(train_dl)}))
