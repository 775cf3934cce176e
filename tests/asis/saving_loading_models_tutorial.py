# Follows: PyTorch tutorial "Saving and Loading Models" (beginner/saving_loading_models): TheModelClass, state_dict,
# inference save/load, general checkpoint, multiple models, warmstarting (strict=False), across devices
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


# Define model
class TheModelClass(nn.Module):
    def __init__(self):
        super(TheModelClass, self).__init__()
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


# Initialize model
model = TheModelClass()

# deterministic weights (NumPy)
rng = np.random.default_rng(30)
for p in model.parameters():
    p.data.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, tuple(p.shape)).astype(np.float32)))

# Initialize optimizer
optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

# Print model's state_dict
print("Model's state_dict:")
for param_tensor in model.state_dict():
    print(param_tensor, "\t", model.state_dict()[param_tensor].size())

# Print optimizer's state_dict
print("Optimizer's state_dict:")
for var_name in optimizer.state_dict():
    print(var_name, "\t", optimizer.state_dict()[var_name])
opt_sd = optimizer.state_dict()
opt_state_before = len(opt_sd['state'])
group_keys = sorted(k for k in opt_sd['param_groups'][0] if k != 'params')
group_params = opt_sd['param_groups'][0]['params']

inputs = torch.from_numpy(rng.standard_normal((2, 3, 32, 32)).astype(np.float32))
labels = torch.from_numpy(rng.integers(0, 10, 2))
for _ in range(2):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(inputs), labels)
    loss.backward()
    optimizer.step()
opt_state_after = sorted(optimizer.state_dict()['state'][0].keys())

# Save/Load state_dict (Recommended)
PATH = "state_dict_model.pt"
torch.save(model.state_dict(), PATH)

model2 = TheModelClass()
model2.load_state_dict(torch.load(PATH, weights_only=True))
model2.eval()
with torch.no_grad():
    inference_equal = torch.equal(model2(inputs), model(inputs))

# Saving & Loading a General Checkpoint for Inference and/or Resuming Training
EPOCH = 5
LOSS = 0.4
PATH = "model.pt"
torch.save({
            'epoch': EPOCH,
            'model_state_dict': model.state_dict(),
            'optimizer_state_dict': optimizer.state_dict(),
            'loss': LOSS,
            }, PATH)

model3 = TheModelClass()
optimizer3 = optim.SGD(model3.parameters(), lr=0.001, momentum=0.9)

checkpoint = torch.load(PATH, weights_only=True)
model3.load_state_dict(checkpoint['model_state_dict'])
optimizer3.load_state_dict(checkpoint['optimizer_state_dict'])
epoch = checkpoint['epoch']
loss = checkpoint['loss']

model3.eval()
# - or -
model3.train()
momentum_equal = torch.equal(optimizer3.state_dict()['state'][0]['momentum_buffer'],
                             optimizer.state_dict()['state'][0]['momentum_buffer'])

# Saving Multiple Models in One File
modelA = TheModelClass()
modelB = TheModelClass()
optimizerA = optim.SGD(modelA.parameters(), lr=0.001, momentum=0.9)
optimizerB = optim.SGD(modelB.parameters(), lr=0.01, momentum=0.5)
PATH = "multiple.tar"
torch.save({
            'modelA_state_dict': modelA.state_dict(),
            'modelB_state_dict': modelB.state_dict(),
            'optimizerA_state_dict': optimizerA.state_dict(),
            'optimizerB_state_dict': optimizerB.state_dict(),
            }, PATH)

modelA2 = TheModelClass()
modelB2 = TheModelClass()
optimizerA2 = optim.SGD(modelA2.parameters(), lr=0.1)
optimizerB2 = optim.SGD(modelB2.parameters(), lr=0.1)

checkpoint = torch.load(PATH, weights_only=True)
modelA2.load_state_dict(checkpoint['modelA_state_dict'])
modelB2.load_state_dict(checkpoint['modelB_state_dict'])
optimizerA2.load_state_dict(checkpoint['optimizerA_state_dict'])
optimizerB2.load_state_dict(checkpoint['optimizerB_state_dict'])

modelA2.eval()
modelB2.eval()
multi_ok = (torch.equal(modelA2.fc3.weight, modelA.fc3.weight) and torch.equal(modelB2.conv1.bias, modelB.conv1.bias))
lrs_loaded = [optimizerA2.param_groups[0]['lr'], optimizerB2.param_groups[0]['momentum']]

# Warmstarting Model Using Parameters from a Different Model
PATH = "modelA.pt"
torch.save(modelA.state_dict(), PATH)


class TheModelClassB(nn.Module):
    def __init__(self):
        super(TheModelClassB, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 2)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.out(x)


modelB3 = TheModelClassB()
keys = modelB3.load_state_dict(torch.load(PATH, weights_only=True), strict=False)
print(keys)
missing, unexpected = sorted(keys.missing_keys), sorted(keys.unexpected_keys)
warm_equal = torch.equal(modelB3.conv2.weight, modelA.conv2.weight)

# Saving & Loading Model Across Devices: Save on GPU/CPU, Load on CPU
device = torch.device('cpu')
model4 = TheModelClass()
model4.load_state_dict(torch.load("state_dict_model.pt", map_location=device, weights_only=True))
model4.to(device)
across_equal = torch.equal(model4.fc1.bias, model.fc1.bias)
strict_error = ""
try:
    TheModelClassB().load_state_dict(torch.load("modelA.pt", weights_only=True))
except RuntimeError as e:
    strict_error = isinstance(e, RuntimeError) and "state" in str(e)

print("RESULT", json.dumps({
    "opt_state_before": opt_state_before, "group_keys_have": [k in group_keys for k in (
        "lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")],
    "group_params": group_params, "opt_state_after": opt_state_after, "loss": loss, "epoch": epoch,
    "inference_equal": inference_equal, "momentum_equal": momentum_equal, "multi_ok": multi_ok,
    "lrs_loaded": lrs_loaded, "missing": missing, "unexpected": unexpected, "warm_equal": warm_equal,
    "across_equal": across_equal, "strict_error": strict_error, "last_loss": loss,
    "fc3_norm": model3.fc3.weight.norm().item()}))
