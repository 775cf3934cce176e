# Follows: yunjey/pytorch-tutorial 01-basics/logistic_regression, with the PyTorch "Reproducibility" notes
# (torch.manual_seed, a torch.Generator passed to random_split and to a shuffling DataLoader)
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# Hyper-parameters
input_size = 49
num_classes = 10
num_epochs = 3
batch_size = 25
learning_rate = 0.05

rng = np.random.default_rng(131)
protos = rng.uniform(0, 1, (num_classes, 7, 7))
y = rng.integers(0, num_classes, 300)
X = np.clip(protos[y] + 0.3 * rng.standard_normal((300, 7, 7)), 0, 1).astype(np.float32)
full = TensorDataset(torch.from_numpy(X[:, None]), torch.from_numpy(y))

# reproducible splits and shuffles: the same seed gives the same split and the same order
train_dataset, test_dataset = random_split(full, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
again, _ = random_split(full, [0.8, 0.2], generator=torch.Generator().manual_seed(42))
same_split = list(train_dataset.indices) == list(again.indices)
disjoint = not set(train_dataset.indices) & set(test_dataset.indices)

g = torch.Generator()
g.manual_seed(0)
order1 = torch.cat([lbl for _, lbl in DataLoader(train_dataset, batch_size=batch_size, shuffle=True, generator=g)])
g.manual_seed(0)
order2 = torch.cat([lbl for _, lbl in DataLoader(train_dataset, batch_size=batch_size, shuffle=True, generator=g)])
same_order = torch.equal(order1, order2)
torch.manual_seed(7)
r1 = torch.rand(3)
torch.manual_seed(7)
r2 = torch.rand(3)
same_rand = torch.equal(r1, r2)

# Data loader: fixed order so that the training numbers compare
train_loader = DataLoader(dataset=TensorDataset(torch.from_numpy(X[:240, None]), torch.from_numpy(y[:240])),
                          batch_size=batch_size, shuffle=False)
test_loader = DataLoader(dataset=TensorDataset(torch.from_numpy(X[240:, None]), torch.from_numpy(y[240:])),
                         batch_size=batch_size, shuffle=False)

# Logistic regression model
model = nn.Linear(input_size, num_classes)
with torch.no_grad():
    model.weight.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, (num_classes, input_size)).astype(np.float32)))
    model.bias.fill_(0.0)

# Loss and optimizer
# nn.CrossEntropyLoss() computes softmax internally
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

# Train the model
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        # Reshape images to (batch_size, input_size)
        images = images.reshape(-1, input_size)

        # Forward pass
        outputs = model(images)
        loss = criterion(outputs, labels)

        # Backward and optimize
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        if (i + 1) % 5 == 0:
            print('Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}'
                  .format(epoch + 1, num_epochs, i + 1, total_step, loss.item()))

# Test the model
# In test phase, we don't need to compute gradients (for memory efficiency)
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        images = images.reshape(-1, input_size)
        outputs = model(images)
        _, predicted = torch.max(outputs, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum()

    print('Accuracy of the model on the test images: {} %'.format(100 * correct / total))

# Save the model checkpoint
path = os.path.join(tempfile.mkdtemp(), 'model.ckpt')
torch.save(model.state_dict(), path)
reloaded = nn.Linear(input_size, num_classes)
reloaded.load_state_dict(torch.load(path))

print("RESULT", json.dumps({
    "split_lens": [len(train_dataset), len(test_dataset)], "same_split": same_split, "disjoint": disjoint,
    "same_order": same_order, "order_is_permutation": sorted(order1.tolist()) == sorted(
        full.tensors[1][list(train_dataset.indices)].tolist()), "same_rand": same_rand,
    "loss": loss.item(), "accuracy": (100 * correct / total).item(), "correct_is_tensor": torch.is_tensor(correct),
    "reloaded_equal": torch.equal(reloaded.weight, model.weight),
}))
