# Follows: d2l.ai "Weight Decay" (from scratch and concise), a high-dimensional linear regression
import json

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05

# synthetic data y = Xw + b + noise (generated with NumPy so both engines see the same)
rng = np.random.default_rng(12)


def synthetic_data(w, b, num_examples):
    X = torch.from_numpy(rng.standard_normal((num_examples, len(w))).astype(np.float32))
    y = torch.matmul(X, w) + b
    y += torch.from_numpy(rng.normal(0, 0.01, tuple(y.shape)).astype(np.float32))
    return X, y.reshape((-1, 1))


train_data = synthetic_data(true_w, true_b, n_train)
test_data = synthetic_data(true_w, true_b, n_test)


def init_params():
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


def linreg(X, w, b):
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def train(lambd, num_epochs=100, lr=0.01):
    w, b = init_params()
    net, loss = lambda X: linreg(X, w, b), squared_loss
    X_all, y_all = train_data
    for epoch in range(num_epochs):
        for i in range(0, n_train, batch_size):  # in order: deterministic batches
            X, y = X_all[i:i + batch_size], y_all[i:i + batch_size]
            # The L2 norm penalty term has been added, and broadcasting makes l2_penalty(w) a vector
            l = loss(net(X), y) + lambd * l2_penalty(w)  # noqa: E741
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    with torch.no_grad():
        test_loss = loss(net(test_data[0]), test_data[1]).mean().item()
    return torch.norm(w).item(), test_loss


torch.manual_seed(0)
norm0, test0 = train(lambd=0)
norm3, test3 = train(lambd=3)
print('L2 norm of w:', norm0, norm3)


def train_concise(wd, num_epochs=100, lr=0.01):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction='none')
    # The bias parameter has not decayed
    trainer = torch.optim.SGD([
        {"params": net[0].weight, 'weight_decay': wd},
        {"params": net[0].bias}], lr=lr)
    train_iter = DataLoader(TensorDataset(*train_data), batch_size=batch_size, shuffle=True)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)  # noqa: E741
            l.mean().backward()
            trainer.step()
    with torch.no_grad():
        test_loss = loss(net(test_data[0]), test_data[1]).mean().item()
    return net[0].weight.norm().item(), test_loss, trainer.param_groups[0]["weight_decay"]


cnorm0, ctest0, _ = train_concise(0)
cnorm3, ctest3, wd_group = train_concise(3)
print("RESULT", json.dumps({"norm_no_decay": norm0, "norm_decay": norm3, "test_no_decay": test0, "test_decay": test3,
                            "concise_norm_no_decay": cnorm0, "concise_norm_decay": cnorm3,
                            "concise_test_decay": ctest3, "wd_group": wd_group}))
