# Follows: pytorch/examples mnist/main.py (Net with Dropout + log_softmax, Adadelta, StepLR, train/test loops with
# pred.eq(target.view_as(pred))), on small generated 12x12 digits and an argparse-free args namespace
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import TensorDataset


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(256, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))
            if args.dry_run:
                break
    return loss.item()


def test(model, device, test_loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()  # sum up batch loss
            pred = output.argmax(dim=1, keepdim=True)  # get the index of the max log-probability
            correct += pred.eq(target.view_as(pred)).sum().item()

    test_loss /= len(test_loader.dataset)

    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))
    return test_loss, correct


class Args:
    """The command-line defaults of the example, scaled down."""
    batch_size = 16
    test_batch_size = 50
    epochs = 3
    lr = 1.0
    gamma = 0.7
    no_cuda = True
    dry_run = False
    seed = 1
    log_interval = 4
    save_model = False


def make_datasets():
    rng = np.random.default_rng(111)
    protos = rng.uniform(0, 1, (10, 12, 12))

    def make(n):
        y = rng.integers(0, 10, n)
        x = np.clip(protos[y] + 0.25 * rng.standard_normal((n, 12, 12)), 0, 1)
        x = (x - 0.1307) / 0.3081  # transforms.Normalize((0.1307,), (0.3081,))
        return TensorDataset(torch.from_numpy(x[:, None].astype(np.float32)), torch.from_numpy(y))

    return make(160), make(100)


def main():
    args = Args()
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if use_cuda else "cpu")

    train_kwargs = {'batch_size': args.batch_size}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_cuda:
        cuda_kwargs = {'num_workers': 1, 'pin_memory': True, 'shuffle': True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

    dataset1, dataset2 = make_datasets()
    train_loader = torch.utils.data.DataLoader(dataset1, **train_kwargs)
    test_loader = torch.utils.data.DataLoader(dataset2, **test_kwargs)

    model = Net().to(device)
    g = np.random.default_rng(112)  # deterministic starting weights (dropout still draws from each engine's RNG)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(g.uniform(-0.15, 0.15, tuple(p.shape)).astype(np.float32)))
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    initial = test(model, device, test_loader)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    history = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, device, train_loader, optimizer, epoch)
        test_loss, correct = test(model, device, test_loader)
        scheduler.step()
        history.append((train_loss, test_loss, correct, scheduler.get_last_lr()[0]))
    return model, initial, history


model, initial, history = main()
print("RESULT", json.dumps({
    "initial_loss": initial[0], "train_losses": [h[0] for h in history], "test_losses": [h[1] for h in history],
    "final_correct": history[-1][2], "lrs": [h[3] for h in history],
    "n_params": sum(p.numel() for p in model.parameters()),
}))
