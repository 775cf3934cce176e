# Follows: PyTorch "Learn the Basics" -- Build the Neural Network (buildmodel_tutorial) and Save & Load the Model
import json
import os
import tempfile

import numpy as np
import torch
from torch import nn

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(12 * 12, 32),
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
rng = np.random.default_rng(101)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.uniform(-0.3, 0.3, p.shape), dtype=torch.float32))

X = torch.tensor(rng.uniform(0, 1, (1, 12, 12)), dtype=torch.float32, device=device)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}")

# Model layers, one at a time
input_image = torch.tensor(rng.uniform(0, 1, (3, 12, 12)), dtype=torch.float32)
print(input_image.size())
flatten = nn.Flatten()
flat_image = flatten(input_image)
print(flat_image.size())
layer1 = nn.Linear(in_features=12 * 12, out_features=20)
with torch.no_grad():
    layer1.weight.copy_(torch.tensor(rng.uniform(-0.1, 0.1, (20, 144)), dtype=torch.float32))
    layer1.bias.zero_()
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")
seq_modules = nn.Sequential(
    flatten,
    layer1,
    nn.ReLU(),
    nn.Linear(20, 10),
)
with torch.no_grad():
    seq_modules[3].weight.copy_(torch.tensor(rng.uniform(-0.1, 0.1, (10, 20)), dtype=torch.float32))
    seq_modules[3].bias.fill_(0.01)
logits2 = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
pred_probab2 = softmax(logits2)

# Model parameters
print(f"Model structure: {model}\n\n")
shapes = {}
for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
    shapes[name] = list(param.size())
n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
first_weight_row = model.linear_relu_stack[0].weight[0, :4].tolist()

# Save and load: the weights only, then the whole model
tmp = tempfile.mkdtemp()
torch.save(model.state_dict(), os.path.join(tmp, "model_weights.pth"))
model2 = NeuralNetwork()
model2.load_state_dict(torch.load(os.path.join(tmp, "model_weights.pth"), weights_only=True))
model2.eval()
torch.save(model, os.path.join(tmp, "model.pth"))
model3 = torch.load(os.path.join(tmp, "model.pth"), weights_only=False)
with torch.inference_mode():
    out2 = model2(X)
    out3 = model3(X)
    inference_requires_grad = out2.requires_grad

print("RESULT", json.dumps({
    "logits": logits.tolist(), "probab": pred_probab.tolist(), "y_pred": y_pred.tolist(),
    "flat_size": list(flat_image.size()), "hidden1_size": list(hidden1.size()),
    "hidden1_sum": hidden1.sum().item(), "hidden1_zero_fraction": (hidden1 == 0).float().mean().item(),
    "probab2": pred_probab2.tolist(), "shapes": shapes, "n_trainable": n_trainable,
    "first_weight_row": first_weight_row, "out2": out2.tolist(), "out3": out3.tolist(),
    "inference_requires_grad": inference_requires_grad, "training_flags": [model.training, model2.training],
}))
