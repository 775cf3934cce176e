# Follows: d2l.ai "Dropout" (from scratch and concise)
import json

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def dropout_layer(X, dropout):
    assert 0 <= dropout <= 1
    # In this case, all elements are dropped out
    if dropout == 1:
        return torch.zeros_like(X)
    # In this case, all elements are kept
    if dropout == 0:
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


torch.manual_seed(0)
X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
keep_all = dropout_layer(X, 0.)
drop_half = dropout_layer(X, 0.5)
drop_all = dropout_layer(X, 1.)
kept = drop_half[drop_half != 0]
big = dropout_layer(torch.ones(100, 100), 0.5)

num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 64, 10, 48, 32
dropout1, dropout2 = 0.2, 0.5


class Net(nn.Module):
    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
        super(Net, self).__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        # Use dropout only when training the model
        if self.training:
            # Add a dropout layer after the first fully connected layer
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            # Add a dropout layer after the second fully connected layer
            H2 = dropout_layer(H2, dropout2)
        out = self.lin3(H2)
        return out


rng = np.random.default_rng(11)
centers = rng.standard_normal((10, 64)).astype(np.float32)
y_np = rng.integers(0, 10, 200)
X_np = (centers[y_np] + 0.8 * rng.standard_normal((200, 64))).astype(np.float32)
features, labels = torch.from_numpy(X_np), torch.from_numpy(y_np)
train_iter = DataLoader(TensorDataset(features, labels), batch_size=32, shuffle=True)


def train(net, num_epochs=5, lr=0.5):
    loss = nn.CrossEntropyLoss(reduction='none')
    trainer = torch.optim.SGD(net.parameters(), lr=lr)
    for epoch in range(num_epochs):
        net.train()
        for X, y in train_iter:
            l = loss(net(X), y)  # noqa: E741
            trainer.zero_grad()
            l.mean().backward()
            trainer.step()
    net.eval()
    with torch.no_grad():
        out = net(features)
        eval_again = net(features)
    return (out.argmax(dim=1) == labels).float().mean().item(), float(torch.equal(out, eval_again))


net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2)
scratch_acc, _ = train(net)

# Concise implementation
net = nn.Sequential(nn.Flatten(),
                    nn.Linear(64, 48),
                    nn.ReLU(),
                    # Add a dropout layer after the first fully connected layer
                    nn.Dropout(dropout1),
                    nn.Linear(48, 32),
                    nn.ReLU(),
                    # Add a dropout layer after the second fully connected layer
                    nn.Dropout(dropout2),
                    nn.Linear(32, 10))


def init_weights(m):
    if type(m) == nn.Linear:  # noqa: E721
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)
concise_acc, eval_deterministic = train(net)
net.train()
train_mode_differs = float(not torch.equal(net(features), net(features)))

print("RESULT", json.dumps({
    "keep_all_equal": float(torch.equal(keep_all, X)), "drop_all_sum": drop_all.sum().item(),
    "kept_scaled": float(torch.equal(kept, 2 * X[drop_half != 0])),
    "drop_fraction": (big == 0).float().mean().item(), "big_mean": big.mean().item(),
    "scratch_acc": scratch_acc, "concise_acc": concise_acc, "eval_deterministic": eval_deterministic,
    "train_mode_differs": train_mode_differs,
}))
