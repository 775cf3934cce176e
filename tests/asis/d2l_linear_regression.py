# Follows: d2l.ai (PyTorch) -- Linear Regression Implementation from Scratch, and its Concise Implementation
import json
import random

import torch
from torch import nn
from torch.utils import data


def synthetic_data(w, b, num_examples):  #@save
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


true_w = torch.tensor([2, -3.4])
true_b = 4.2
torch.manual_seed(0)
features, labels = synthetic_data(true_w, true_b, 1000)
print('features:', features[0], '\nlabel:', labels[0])


def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


batch_size = 10
for X, y in data_iter(batch_size, features, labels):
    print(X, '\n', y)
    break
first_batch_shapes = [list(X.shape), list(y.shape)]

w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def linreg(X, w, b):  #@save
    """The linear regression model."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):  #@save
    """Squared loss."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


lr = 0.03
num_epochs = 3
net = linreg
loss = squared_loss
random.seed(0)
train_losses = []
for epoch in range(num_epochs):
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # noqa: E741  (minibatch loss in `X` and `y`)
        # Compute gradient on `l` with respect to [`w`, `b`]
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters using their gradient
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
        train_losses.append(float(train_l.mean()))

print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
print(f'error in estimating b: {true_b - b}')
w_err = (true_w - w.reshape(true_w.shape)).abs().max().item()
b_err = abs((true_b - b).item())


# Concise implementation
def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


data_iter2 = load_array((features, labels), batch_size)
first = next(iter(data_iter2))
net = nn.Sequential(nn.Linear(2, 1))
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
loss = nn.MSELoss()
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
concise_losses = []
for epoch in range(num_epochs):
    for X, y in data_iter2:
        l = loss(net(X), y)  # noqa: E741
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)  # noqa: E741
    print(f'epoch {epoch + 1}, loss {l:f}')
    concise_losses.append(l.item())
w2 = net[0].weight.data
b2 = net[0].bias.data

print("RESULT", json.dumps({
    "features_shape": list(features.shape), "labels_shape": list(labels.shape),
    "first_batch_shapes": first_batch_shapes, "train_losses": train_losses, "w_err": w_err, "b_err": b_err,
    "first_shapes": [list(t.shape) for t in first], "concise_losses": concise_losses,
    "w2_err": (true_w - w2.reshape(true_w.shape)).abs().max().item(), "b2_err": abs(true_b - b2.item()),
}))
