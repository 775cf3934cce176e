# Follows: PyTorch recipe "Warmstarting model using parameters from a different model in PyTorch" and the recipe
# "Saving and loading multiple models in one file using PyTorch" (Net, netA/netB, strict=False, modelA.eval())
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class NetA(nn.Module):
    def __init__(self):
        super(NetA, self).__init__()
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


netA = NetA()


class NetB(nn.Module):
    def __init__(self):
        super(NetB, self).__init__()
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


netB = NetB()

# Specify a path to save to
PATH = "model.pt"

torch.save(netA.state_dict(), PATH)

keys = netB.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
print(keys)
same = all(torch.equal(a, b) for a, b in zip(netA.parameters(), netB.parameters()))


# a model with renamed/extra layers: load the matching part, then rename keys
class NetC(NetA):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(10, 2)


netC = NetC()
keys_c = netC.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
state = torch.load(PATH, weights_only=True)
state = {("head." + k[len("fc3."):] if k.startswith("fc3.") else k): v for k, v in state.items()}
del state["head.weight"], state["head.bias"]
keys_c2 = netC.load_state_dict(state, strict=False)

# Saving and loading multiple models in one file
netA = NetA()
netB = NetB()
rng = np.random.default_rng(50)
for p in list(netA.parameters()) + list(netB.parameters()):
    p.data = torch.from_numpy(rng.uniform(-0.1, 0.1, tuple(p.shape)).astype(np.float32))
optimizerA = optim.SGD(netA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.SGD(netB.parameters(), lr=0.001, momentum=0.9)
x = torch.from_numpy(rng.standard_normal((2, 3, 32, 32)).astype(np.float32))
for net, opt in ((netA, optimizerA), (netB, optimizerB)):
    opt.zero_grad()
    net(x).pow(2).mean().backward()
    opt.step()

PATH = "model.pt"
torch.save({
            'modelA_state_dict': netA.state_dict(),
            'modelB_state_dict': netB.state_dict(),
            'optimizerA_state_dict': optimizerA.state_dict(),
            'optimizerB_state_dict': optimizerB.state_dict(),
            }, PATH)

modelA = NetA()
modelB = NetB()
optimModelA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
optimModelB = optim.SGD(modelB.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load(PATH, weights_only=True)
modelA.load_state_dict(checkpoint['modelA_state_dict'])
modelB.load_state_dict(checkpoint['modelB_state_dict'])
optimModelA.load_state_dict(checkpoint['optimizerA_state_dict'])
optimModelB.load_state_dict(checkpoint['optimizerB_state_dict'])

modelA.eval()
modelB.eval()
# - or -
modelA.train()
modelB.train()

# one more step on both pairs must agree exactly
for net, opt in ((netA, optimizerA), (modelA, optimModelA)):
    opt.zero_grad()
    net(x).pow(2).mean().backward()
    opt.step()
resumed_equal = all(torch.equal(a, b) for a, b in zip(netA.parameters(), modelA.parameters()))

print("RESULT", json.dumps({
    "missing": keys.missing_keys, "unexpected": keys.unexpected_keys, "same": same,
    "c_missing": sorted(keys_c.missing_keys), "c_unexpected": sorted(keys_c.unexpected_keys),
    "c2_missing": sorted(keys_c2.missing_keys), "c2_unexpected": sorted(keys_c2.unexpected_keys),
    "ckpt_keys": sorted(checkpoint), "resumed_equal": resumed_equal,
    "momentum_norm": optimModelB.state_dict()['state'][0]['momentum_buffer'].norm().item(),
    "outA": modelA(x).detach().numpy().ravel().tolist()}))
