# Follows: yunjey/pytorch-tutorial -- 01-basics/pytorch_basics and 01-basics/feedforward_neural_network
import json

import numpy as np
import torch
import torch.nn as nn

# ================================================================== #
#                     1. Basic autograd example 1                    #
# ================================================================== #
x = torch.tensor(1., requires_grad=True)
w = torch.tensor(2., requires_grad=True)
b = torch.tensor(3., requires_grad=True)
y = w * x + b    # y = 2 * x + 3
y.backward()
print(x.grad)    # x.grad = 2
print(w.grad)    # w.grad = 1
print(b.grad)    # b.grad = 1
ex1 = [x.grad.item(), w.grad.item(), b.grad.item()]

# ================================================================== #
#                    2. Basic autograd example 2                     #
# ================================================================== #
rng = np.random.default_rng(51)
x = torch.from_numpy(rng.standard_normal((10, 3)).astype(np.float32))
y = torch.from_numpy(rng.standard_normal((10, 2)).astype(np.float32))
linear = nn.Linear(3, 2)
with torch.no_grad():
    linear.weight.copy_(torch.tensor([[0.1, -0.3, 0.5], [0.2, 0.4, -0.6]]))
    linear.bias.copy_(torch.tensor([0.05, -0.05]))
print('w: ', linear.weight)
print('b: ', linear.bias)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(linear.parameters(), lr=0.01)
pred = linear(x)
loss = criterion(pred, y)
print('loss: ', loss.item())
loss1 = loss.item()
loss.backward()
print('dL/dw: ', linear.weight.grad)
print('dL/db: ', linear.bias.grad)
optimizer.step()
pred = linear(x)
loss2 = criterion(pred, y)
print('loss after 1 step optimization: ', loss2.item())

# ================================================================== #
#                     3. Loading data from numpy                     #
# ================================================================== #
x_np = np.array([[1, 2], [3, 4]])
y_t = torch.from_numpy(x_np)
z_np = y_t.numpy()

# ================================================================== #
#                    Feedforward neural network                      #
# ================================================================== #
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
input_size = 64
hidden_size = 50
num_classes = 10
num_epochs = 3
batch_size = 20
learning_rate = 0.001

protos = rng.uniform(0, 1, (num_classes, input_size))


def make(n):
    labels = rng.integers(0, num_classes, n)
    images = (protos[labels] + 0.5 * rng.standard_normal((n, input_size))).astype(np.float32)
    return torch.utils.data.TensorDataset(torch.from_numpy(images.reshape(n, 1, 8, 8)), torch.from_numpy(labels))


train_dataset, test_dataset = make(200), make(100)
train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=False)
test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)


# Fully connected neural network with one hidden layer
class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(NeuralNet, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        out = self.fc1(x)
        out = self.relu(out)
        out = self.fc2(out)
        return out


model = NeuralNet(input_size, hidden_size, num_classes).to(device)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.15, 0.15, tuple(p.shape)).astype(np.float32)))

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)

total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        # Move tensors to the configured device
        images = images.reshape(-1, 8 * 8).to(device)
        labels = labels.to(device)

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
with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        images = images.reshape(-1, 8 * 8).to(device)
        labels = labels.to(device)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

    print('Accuracy of the network on the test images: {} %'.format(100 * correct / total))

print("RESULT", json.dumps({
    "ex1": ex1, "loss1": loss1, "loss2": loss2.item(), "w_grad": linear.weight.grad.flatten().tolist(),
    "b_grad": linear.bias.grad.tolist(), "z_np": z_np.tolist(), "y_t": y_t.tolist(),
    "ffnn_loss": loss.item(), "accuracy": 100 * correct / total, "total": total,
    "fc2_w_norm": model.fc2.weight.norm().item(),
}))
