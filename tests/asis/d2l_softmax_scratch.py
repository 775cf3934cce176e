# Follows: d2l.ai (PyTorch) -- Implementation of Softmax Regression from Scratch (Accumulator, evaluate_accuracy)
import json

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

batch_size = 32
rng = np.random.default_rng(61)
protos = rng.uniform(0, 1, (10, 36))


def make(n, shuffle):
    y = rng.integers(0, 10, n)
    X = np.clip(protos[y] + 0.35 * rng.standard_normal((n, 36)), 0, 1).astype(np.float32).reshape(n, 1, 6, 6)
    return DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size, shuffle=shuffle)


train_iter, test_iter = make(320, False), make(128, False)

num_inputs = 36
num_outputs = 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)
# deterministic starting weights, keeping W a leaf that requires grad
W.data = torch.from_numpy(rng.normal(0, 0.01, (num_inputs, num_outputs)).astype(np.float32))

X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
sums = [X.sum(0, keepdim=True).tolist(), X.sum(1, keepdim=True).tolist()]


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # The broadcasting mechanism is applied here


X = torch.from_numpy(rng.normal(0, 1, (2, 5)).astype(np.float32))
X_prob = softmax(X)
softmax_check = [X_prob.tolist(), X_prob.sum(1).tolist()]


def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
picked = y_hat[[0, 1], y].tolist()


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


ce_example = cross_entropy(y_hat, y).tolist()


def accuracy(y_hat, y):  #@save
    """Compute the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


acc_example = accuracy(y_hat, y) / len(y)


class Accumulator:  #@save
    """For accumulating sums over `n` variables."""
    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_accuracy(net, data_iter):  #@save
    """Compute the accuracy for a model on a dataset."""
    if isinstance(net, torch.nn.Module):
        net.eval()  # Set the model to evaluation mode
    metric = Accumulator(2)  # No. of correct predictions, no. of predictions
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


initial_acc = evaluate_accuracy(net, test_iter)


def train_epoch_ch3(net, train_iter, loss, updater):  #@save
    """The training loop defined in Chapter 3."""
    # Set the model to training mode
    if isinstance(net, torch.nn.Module):
        net.train()
    # Sum of training loss, sum of training accuracy, no. of examples
    metric = Accumulator(3)
    for X, y in train_iter:
        # Compute gradients and update parameters
        y_hat = net(X)
        l = loss(y_hat, y)  # noqa: E741
        if isinstance(updater, torch.optim.Optimizer):
            # Using PyTorch in-built optimizer & loss criterion
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            # Using custom built optimizer & loss criterion
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    # Return training loss and training accuracy
    return metric[0] / metric[2], metric[1] / metric[2]


def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.1


def updater(batch_size):
    return sgd([W, b], lr, batch_size)


num_epochs = 4
history = []
for epoch in range(num_epochs):
    train_metrics = train_epoch_ch3(net, train_iter, cross_entropy, updater)
    test_acc = evaluate_accuracy(net, test_iter)
    history.append([*train_metrics, test_acc])
train_loss, train_acc = train_metrics

# the same loop with a built-in optimizer (the isinstance(updater, torch.optim.Optimizer) branch)
W.data = torch.from_numpy(rng.normal(0, 0.01, (num_inputs, num_outputs)).astype(np.float32))
b.data.zero_()
opt = torch.optim.SGD([W, b], lr=lr)
opt_metrics = train_epoch_ch3(net, train_iter, cross_entropy, opt)


def predict_ch3(net, test_iter, n=6):  #@save
    """Predict labels."""
    for X, y in test_iter:
        break
    return net(X).argmax(axis=1)[:n].tolist(), y[:n].tolist()


preds, trues = predict_ch3(net, test_iter)
print("RESULT", json.dumps({
    "sums": sums, "softmax_check": softmax_check, "picked": picked, "ce_example": ce_example,
    "acc_example": acc_example, "initial_acc": initial_acc, "history": history, "train_loss": train_loss,
    "train_acc": train_acc, "opt_metrics": list(opt_metrics), "preds": preds, "trues": trues,
    "is_optimizer": isinstance(opt, torch.optim.Optimizer),
}))
