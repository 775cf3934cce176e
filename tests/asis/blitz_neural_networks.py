# Follows: PyTorch 60-minute blitz -- Neural Networks (neural_networks_tutorial, LeNet)
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):

    def __init__(self):
        super(Net, self).__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = F.max_pool2d(c3, 2)
        s4 = torch.flatten(s4, 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        output = self.fc3(f6)
        return output


net = Net()
print(net)

params = list(net.parameters())
print(len(params))
print(params[0].size())  # conv1's .weight

# deterministic weights and inputs (NumPy) instead of torch's random init
rng = np.random.default_rng(6)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, tuple(p.shape)).astype(np.float32)))

input = torch.from_numpy(rng.standard_normal((1, 1, 32, 32)).astype(np.float32))
out = net(input)
print(out)
out0 = out.detach().numpy().ravel().tolist()

# Zero the gradient buffers of all parameters and backprop with a random gradient
net.zero_grad()
out.backward(torch.from_numpy(rng.standard_normal((1, 10)).astype(np.float32)))
conv1_w_grad_norm = net.conv1.weight.grad.norm().item()

# Loss function
output = net(input)
target = torch.from_numpy(rng.standard_normal(10).astype(np.float32))  # a dummy target, for example
target = target.view(1, -1)  # make it the same shape as output
criterion = nn.MSELoss()

loss = criterion(output, target)
print(loss)
print(loss.grad_fn)  # MSELoss

# Backprop
net.zero_grad()  # zeroes the gradient buffers of all parameters
print('conv1.bias.grad before backward')
print(net.conv1.bias.grad)
before = net.conv1.bias.grad
before_sum = 0.0 if before is None else before.abs().sum().item()
loss.backward()
print('conv1.bias.grad after backward')
print(net.conv1.bias.grad)
bias_grad = net.conv1.bias.grad.tolist()

# Update the weights: weight = weight - learning_rate * gradient
learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
loss_after_manual = criterion(net(input), target).item()

# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=0.01)

# in your training loop:
optimizer.zero_grad()  # zero the gradient buffers
output = net(input)
loss = criterion(output, target)
loss.backward()
optimizer.step()  # Does the update
loss_after_step = criterion(net(input), target).item()

print("RESULT", json.dumps({
    "n_params": len(params), "conv1_weight_size": list(params[0].size()), "out": out0,
    "conv1_w_grad_norm": conv1_w_grad_norm, "loss": criterion(output, target).item(),
    "before_sum": before_sum, "bias_grad": bias_grad, "loss_after_manual": loss_after_manual,
    "loss_after_step": loss_after_step, "fc1_w_norm": net.fc1.weight.norm().item(),
}))
