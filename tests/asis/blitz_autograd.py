# Follows: PyTorch 60-minute blitz -- A Gentle Introduction to torch.autograd (autograd_tutorial)
import json

import torch
import torch.nn as nn
import torch.optim as optim

# Differentiation in autograd
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a ** 3 - b ** 2

# Q is a vector: pass a gradient argument to backward
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)

# Check if collected gradients are correct
print(9 * a ** 2 == a.grad)
print(-2 * b == b.grad)
checks = {"a_grad_ok": float((9 * a ** 2 == a.grad).all().item()), "b_grad_ok": float((-2 * b == b.grad).all()),
          "a_grad": a.grad.tolist(), "b_grad": b.grad.tolist()}

# Exclusion from the DAG
x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)
a2 = x + y
print(f"Does `a` require gradients?: {a2.requires_grad}")
b2 = x + z
print(f"Does `b` require gradients?: {b2.requires_grad}")
checks.update({"a2_requires_grad": float(a2.requires_grad), "b2_requires_grad": float(b2.requires_grad)})


# Freezing parameters: a small stand-in for the pretrained resnet18 of the tutorial
class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        return self.fc(self.features(x))


torch.manual_seed(0)
model = SmallNet()
# Freeze all the parameters in the network
for param in model.parameters():
    param.requires_grad = False
# Replace the classifier: only its parameters are unfrozen
model.fc = nn.Linear(16, 10)
# Optimize only the classifier
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
data = torch.rand(2, 8)
labels = torch.rand(2, 10)
prediction = model(data)
loss = (prediction - labels).sum()
loss.backward()
optimizer.step()
trainable = [name for name, p in model.named_parameters() if p.requires_grad]
frozen_grads_none = all(p.grad is None for p in model.features.parameters())
checks.update({"trainable": trainable, "frozen_grads_none": float(frozen_grads_none),
               "fc_grad_shape": list(model.fc.weight.grad.shape)})
print("RESULT", json.dumps(checks))
