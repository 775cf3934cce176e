# Follows: pytorch/examples imagenet/main.py helpers (AverageMeter, ProgressMeter, accuracy(output, target,
# topk=(1, 5)) with topk/t()/eq/expand_as, validate() under torch.no_grad) on a small linear classifier
import json
from enum import Enum

import numpy as np
import torch
import torch.nn as nn


class Summary(Enum):
    NONE = 0
    AVERAGE = 1
    SUM = 2
    COUNT = 3


class AverageMeter(object):
    """Computes and stores the average and current value"""
    def __init__(self, name, fmt=':f', summary_type=Summary.AVERAGE):
        self.name = name
        self.fmt = fmt
        self.summary_type = summary_type
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count

    def __str__(self):
        fmtstr = '{name} {val' + self.fmt + '} ({avg' + self.fmt + '})'
        return fmtstr.format(**self.__dict__)


class ProgressMeter(object):
    def __init__(self, num_batches, meters, prefix=""):
        self.batch_fmtstr = self._get_batch_fmtstr(num_batches)
        self.meters = meters
        self.prefix = prefix

    def display(self, batch):
        entries = [self.prefix + self.batch_fmtstr.format(batch)]
        entries += [str(meter) for meter in self.meters]
        print('\t'.join(entries))

    def _get_batch_fmtstr(self, num_batches):
        num_digits = len(str(num_batches // 1))
        fmt = '{:' + str(num_digits) + 'd}'
        return '[' + fmt + '/' + fmt.format(num_batches) + ']'


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k"""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


rng = np.random.default_rng(121)
num_classes = 12
protos = rng.standard_normal((num_classes, 20))


def make(n):
    y = rng.integers(0, num_classes, n)
    x = protos[y] + 1.2 * rng.standard_normal((n, 20))
    return torch.utils.data.TensorDataset(torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y))


train_loader = torch.utils.data.DataLoader(make(240), batch_size=40, shuffle=False)
val_loader = torch.utils.data.DataLoader(make(120), batch_size=40, shuffle=False)
model = nn.Linear(20, num_classes)
with torch.no_grad():
    model.weight.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, (num_classes, 20)).astype(np.float32)))
    model.bias.zero_()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9, weight_decay=1e-4)


def validate(val_loader, model, criterion):
    losses = AverageMeter('Loss', ':.4e')
    top1 = AverageMeter('Acc@1', ':6.2f')
    top5 = AverageMeter('Acc@5', ':6.2f')
    progress = ProgressMeter(len(val_loader), [losses, top1, top5], prefix='Test: ')
    model.eval()
    with torch.no_grad():
        for i, (images, target) in enumerate(val_loader):
            output = model(images)
            loss = criterion(output, target)
            acc1, acc5 = accuracy(output, target, topk=(1, 5))
            losses.update(loss.item(), images.size(0))
            top1.update(acc1[0], images.size(0))
            top5.update(acc5[0], images.size(0))
            progress.display(i + 1)
    print(' * Acc@1 {top1.avg:.3f} Acc@5 {top5.avg:.3f}'.format(top1=top1, top5=top5))
    return top1.avg, top5.avg, losses.avg


history = []
for epoch in range(3):
    model.train()
    for images, target in train_loader:
        output = model(images)
        loss = criterion(output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    acc1, acc5, val_loss = validate(val_loader, model, criterion)
    history.append([float(acc1), float(acc5), val_loss])

# the torch.max / sort spellings of the same predictions
out = model(val_loader.dataset.tensors[0][:8])
values, indices = torch.max(out, 1)
sorted_vals, sorted_idx = torch.sort(out, dim=1, descending=True)
top3 = torch.topk(out, 3)
print("RESULT", json.dumps({
    "history": history, "max_idx": indices.tolist(), "sort_first": sorted_idx[:, 0].tolist(),
    "max_equals_sorted": torch.equal(values, sorted_vals[:, 0]), "top3_idx": top3.indices.tolist(),
    "top3_vals": top3.values.tolist(), "acc_tensor_shape": list(accuracy(out, indices, topk=(1, 2))[0].shape),
}))
