# Follows: torch.optim documentation -- "Weight Averaging (SWA and EMA)": AveragedModel, SWALR, update_bn,
# get_ema_multi_avg_fn, a custom avg_fn, use_buffers=True, and the full SWA / EMA training examples
import json

import numpy as np
import torch
import torch.nn as nn
from torch.optim.swa_utils import AveragedModel, SWALR
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(41)
X = torch.from_numpy(rng.standard_normal((32, 5)).astype(np.float32))
Y = torch.from_numpy((X.numpy() @ rng.standard_normal((5, 1))).astype(np.float32))
loader = DataLoader(TensorDataset(X, Y), batch_size=8, shuffle=False)
test_input = torch.from_numpy(rng.standard_normal((4, 5)).astype(np.float32))
loss_fn = nn.MSELoss()


def make_model():
    model = nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


result = {}

# SWA: the full example of the docs, shrunk (300 epochs -> 12, swa_start 160 -> 6)
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
swa_model = AveragedModel(model)
scheduler = CosineAnnealingLR(optimizer, T_max=12)
swa_start = 6
swa_scheduler = SWALR(optimizer, swa_lr=0.05)
lrs = []
for epoch in range(12):
    for input, target in loader:
        optimizer.zero_grad()
        loss_fn(model(input), target).backward()
        optimizer.step()
    if epoch > swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    else:
        scheduler.step()
    lrs.append(optimizer.param_groups[0]["lr"])
result["swa_lrs"] = lrs
result["n_averaged"] = swa_model.n_averaged.item()

# Update bn statistics for the swa_model at the end
torch.optim.swa_utils.update_bn(loader, swa_model)
# Use swa_model to make predictions on test data
swa_model.eval()
preds = swa_model(test_input)
result["swa_preds"] = preds.detach().numpy().ravel().tolist()
result["swa_bn_mean"] = swa_model.module[1].running_mean.tolist()
result["swa_keys"] = sorted(swa_model.state_dict().keys())[:3]

# SWALR annealing strategies
opt2 = torch.optim.SGD(make_model().parameters(), lr=0.5)
swa_scheduler = torch.optim.swa_utils.SWALR(opt2, anneal_strategy="linear", anneal_epochs=5, swa_lr=0.05)
lin = []
for _ in range(7):
    opt2.step()
    swa_scheduler.step()
    lin.append(opt2.param_groups[0]["lr"])
result["swalr_linear"] = lin

# EMA with get_ema_multi_avg_fn
model = make_model()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
ema_model = torch.optim.swa_utils.AveragedModel(model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(0.9))
for epoch in range(4):
    for input, target in loader:
        optimizer.zero_grad()
        loss_fn(model(input), target).backward()
        optimizer.step()
        ema_model.update_parameters(model)
# Update bn statistics for the ema_model at the end
torch.optim.swa_utils.update_bn(loader, ema_model)
# Use ema_model to make predictions on test data
ema_model.eval()
preds = ema_model(test_input)
result["ema_preds"] = preds.detach().numpy().ravel().tolist()

# custom averaging function, and averaging buffers too
model = make_model()
ema_avg = lambda averaged_model_parameter, model_parameter, num_averaged: \
    0.9 * averaged_model_parameter + 0.1 * model_parameter  # noqa: E731
ema_model = torch.optim.swa_utils.AveragedModel(model, avg_fn=ema_avg)
buf_model = AveragedModel(model, use_buffers=True)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for input, target in loader:
    optimizer.zero_grad()
    loss_fn(model(input), target).backward()
    optimizer.step()
    ema_model.update_parameters(model)
    buf_model.update_parameters(model)
result["avg_fn_w"] = ema_model.module[3].weight.detach().numpy().ravel().tolist()
result["buf_running_mean"] = buf_model.module[1].running_mean.tolist()
result["buf_n_averaged"] = buf_model.n_averaged.item()

print("RESULT", json.dumps(result))
