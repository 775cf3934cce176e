# Follows: yunjey/pytorch-tutorial 02-intermediate/convolutional_neural_network (Conv2d + BatchNorm2d + ReLU +
# MaxPool2d blocks, out.reshape(out.size(0), -1)), with an AdaptiveAvgPool2d head and BatchNorm running stats
import json

import numpy as np
import torch
import torch.nn as nn

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
num_epochs = 2
num_classes = 4
batch_size = 8
learning_rate = 0.05

rng = np.random.default_rng(81)
protos = rng.uniform(0, 1, (num_classes, 1, 12, 12))


def make(n):
    y = rng.integers(0, num_classes, n)
    X = (protos[y] + 0.3 * rng.standard_normal((n, 1, 12, 12))).astype(np.float32)
    return torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))


train_loader = torch.utils.data.DataLoader(dataset=make(48), batch_size=batch_size, shuffle=False)
test_loader = torch.utils.data.DataLoader(dataset=make(24), batch_size=batch_size, shuffle=False)


# Convolutional neural network (two convolutional layers)
class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(4),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(
            nn.Conv2d(4, 8, kernel_size=3, stride=1, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc = nn.Linear(3 * 3 * 8, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        out = self.fc(out)
        return out


class GapNet(nn.Module):
    """Global average pooling head: any input size gives a fixed-size feature."""
    def __init__(self, num_classes):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6),
                                      nn.ReLU(inplace=True))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(6, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.view(x.size(0), -1)
        return self.classifier(x)


def deterministic(model, seed):
    g = np.random.default_rng(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):  # BatchNorm keeps its ones/zeros
                for p in m.parameters():
                    p.copy_(torch.from_numpy(g.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))
    return model


results = {}
for name, model in (("convnet", ConvNet(num_classes)), ("gapnet", GapNet(num_classes))):
    model = deterministic(model, 82).to(device)
    criterion = nn.CrossEntropyLoss()
    # SGD rather than the tutorial's Adam: a conv bias in front of BatchNorm gets a zero gradient up to
    # rounding, and Adam would turn that rounding noise into full-size steps
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
    total_step = len(train_loader)
    for epoch in range(num_epochs):
        for i, (images, labels) in enumerate(train_loader):
            images = images.to(device)
            labels = labels.to(device)
            outputs = model(images)
            loss = criterion(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    # Test the model
    model.eval()  # eval mode (batchnorm uses moving mean/variance instead of mini-batch mean/variance)
    with torch.no_grad():
        correct = 0
        total = 0
        for images, labels in test_loader:
            outputs = model(images)
            _, predicted = torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    bn = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)][0]
    results[name] = {"loss": loss.item(), "accuracy": correct / total,
                     "running_mean": bn.running_mean.tolist(), "running_var": bn.running_var.tolist(),
                     "num_batches_tracked": bn.num_batches_tracked.item(),
                     "bn_weight": bn.weight.tolist(), "bn_bias": bn.bias.tolist()}

# GAP works for another input size
odd = torch.from_numpy(rng.standard_normal((2, 1, 7, 9)).astype(np.float32))
results["gap_odd_shape"] = list(model(odd).shape)
results["adaptive_3x3"] = nn.AdaptiveAvgPool2d(3)(torch.arange(36.).view(1, 1, 6, 6)).flatten().tolist()
results["adaptive_uneven"] = nn.AdaptiveAvgPool2d((2, 3))(torch.arange(35.).view(1, 1, 5, 7)).flatten().tolist()
bn1d = nn.BatchNorm1d(3)
bn1d(torch.tensor([[1.0, 2.0, 3.0], [3.0, 6.0, 9.0]]))
results["bn1d_running_var"] = bn1d.running_var.tolist()
results["state_keys"] = [k for k in ConvNet(num_classes).state_dict() if k.startswith("layer1.1")]
print("RESULT", json.dumps(results))
