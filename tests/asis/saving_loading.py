# Follows: PyTorch recipe "Saving and loading models" / "Saving and loading a general checkpoint"
import json
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
rng = np.random.default_rng(14)
with torch.no_grad():
    for p in net.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, tuple(p.shape)).astype(np.float32)))
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

# Print model's state_dict
print("Model's state_dict:")
sizes = {}
for param_tensor in net.state_dict():
    print(param_tensor, "\t", net.state_dict()[param_tensor].size())
    sizes[param_tensor] = list(net.state_dict()[param_tensor].size())

inputs = torch.from_numpy(rng.standard_normal((4, 3, 32, 32)).astype(np.float32))
labels = torch.from_numpy(rng.integers(0, 10, 4))
criterion = nn.CrossEntropyLoss()


def train_step(model, opt):
    opt.zero_grad()
    loss = criterion(model(inputs), labels)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(2):
    LOSS = train_step(net, optimizer)
EPOCH = 5

print("Optimizer's state_dict:")
opt_keys = sorted(optimizer.state_dict().keys())
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])

tmp = tempfile.mkdtemp()

# Save/Load state_dict (recommended)
PATH = os.path.join(tmp, "model.pt")
torch.save(net.state_dict(), PATH)
model = Net()
model.load_state_dict(torch.load(PATH, weights_only=True))
model.eval()
with torch.no_grad():
    same_output = float(torch.allclose(model(inputs), net(inputs)))

# Save/Load a general checkpoint for inference and/or resuming training
CKPT = os.path.join(tmp, "checkpoint.tar")
torch.save({
    'epoch': EPOCH,
    'model_state_dict': net.state_dict(),
    'optimizer_state_dict': optimizer.state_dict(),
    'loss': LOSS,
}, CKPT)

model = Net()
optimizer2 = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load(CKPT, weights_only=True)
model.load_state_dict(checkpoint['model_state_dict'])
optimizer2.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']

model.train()
# resuming must continue exactly like the original (the momentum buffers were restored)
resumed = train_step(model, optimizer2)
original = train_step(net, optimizer)
params_equal = float(all(torch.equal(a, b) for a, b in zip(model.parameters(), net.parameters())))

# Warmstarting model using parameters from a different model
netA = Net()
PATH_A = os.path.join(tmp, "netA.pt")
torch.save(netA.state_dict(), PATH_A)


class NetB(Net):
    def __init__(self):
        super().__init__()
        self.extra = nn.Linear(10, 2)


netB = NetB()
result = netB.load_state_dict(torch.load(PATH_A, weights_only=True), strict=False)
missing = sorted(result.missing_keys)
warm_equal = float(torch.equal(netB.conv1.weight, netA.conv1.weight))

print("RESULT", json.dumps({
    "sizes": sizes, "opt_keys": opt_keys, "loss": LOSS, "epoch": epoch, "ckpt_loss": loss,
    "same_output": same_output, "resumed": resumed, "original": original, "params_equal": params_equal,
    "missing": missing, "warm_equal": warm_equal, "fc3_w_norm": model.fc3.weight.norm().item(),
}))
