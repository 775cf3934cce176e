# Follows: PyTorch recipes/forum idioms -- gradient clipping (clip_grad_norm_), gradient accumulation,
# ReduceLROnPlateau and early stopping with copy.deepcopy(model.state_dict())
import copy
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import ReduceLROnPlateau
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(31)
X = rng.standard_normal((96, 6)).astype(np.float32)
true_w = rng.standard_normal((6, 1)).astype(np.float32)
Y = (X @ true_w + 0.3 * rng.standard_normal((96, 1))).astype(np.float32)
train_ds = TensorDataset(torch.from_numpy(X[:64]), torch.from_numpy(Y[:64]))
val_ds = TensorDataset(torch.from_numpy(X[64:]), torch.from_numpy(Y[64:]))
train_loader = DataLoader(train_ds, batch_size=8)
val_loader = DataLoader(val_ds, batch_size=16)


def make_model():
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1))
    g = np.random.default_rng(32)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(g.uniform(-0.5, 0.5, tuple(p.shape)).astype(np.float32)))
    return model


criterion = nn.MSELoss()


def evaluate(model):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            total += criterion(model(xb), yb).item() * xb.size(0)
    return total / len(val_loader.dataset)


# clipping: the returned total norm is the norm before clipping
model = make_model()
optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
norms, clipped_norms = [], []
for xb, yb in train_loader:
    optimizer.zero_grad()
    loss = criterion(model(xb) * 5, yb)
    loss.backward()
    total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    norms.append(total_norm.item())
    clipped_norms.append(torch.norm(torch.stack([p.grad.norm(2) for p in model.parameters()]), 2).item())
    optimizer.step()
clip_loss = evaluate(model)
optimizer.zero_grad()
criterion(model(torch.from_numpy(X[:8])), torch.from_numpy(Y[:8])).backward()
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
max_grad_after_value_clip = max(p.grad.abs().max().item() for p in model.parameters())

# gradient accumulation: 4 micro-batches of 8 make one step of 32
model = make_model()
optimizer = optim.SGD(model.parameters(), lr=0.1)
accumulation_steps = 4
optimizer.zero_grad()
for i, (inputs, labels) in enumerate(train_loader):
    outputs = model(inputs)
    loss = criterion(outputs, labels)
    loss = loss / accumulation_steps
    loss.backward()
    if (i + 1) % accumulation_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
accum_w = model[0].weight.detach().clone()
model_big = make_model()
opt_big = optim.SGD(model_big.parameters(), lr=0.1)
for start in (0, 32):
    opt_big.zero_grad()
    criterion(model_big(torch.from_numpy(X[start:start + 32])), torch.from_numpy(Y[start:start + 32])).backward()
    opt_big.step()
accum_matches_big_batch = torch.allclose(accum_w, model_big[0].weight, atol=1e-5)

# ReduceLROnPlateau + early stopping
model = make_model()
optimizer = optim.Adam(model.parameters(), lr=0.05)
scheduler = ReduceLROnPlateau(optimizer, mode='min', factor=0.5, patience=1)
best_loss, best_state, best_epoch, patience, bad_epochs = float('inf'), None, -1, 4, 0
val_history, lr_history = [], []
for epoch in range(30):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss = evaluate(model)
    scheduler.step(val_loss)
    val_history.append(val_loss)
    lr_history.append(optimizer.param_groups[0]['lr'])
    if val_loss < best_loss:
        best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
        best_state = copy.deepcopy(model.state_dict())
        best_w_sum = model[0].weight.sum().item()
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stop at epoch {epoch}")
            break
stopped_epoch = epoch
last_loss = evaluate(model)
deep_copy_kept = abs(best_state['0.weight'].sum().item() - best_w_sum) < 1e-6
model.load_state_dict(best_state)
restored_loss = evaluate(model)

print("RESULT", json.dumps({
    "norms": norms, "clipped_norms": clipped_norms, "clip_loss": clip_loss,
    "max_grad_after_value_clip": max_grad_after_value_clip, "accum_w": accum_w.flatten().tolist()[:12],
    "accum_matches_big_batch": accum_matches_big_batch, "val_history": val_history, "lr_history": lr_history,
    "best_epoch": best_epoch, "stopped_epoch": stopped_epoch, "best_loss": best_loss, "last_loss": last_loss,
    "restored_loss": restored_loss, "deep_copy_kept": deep_copy_kept,
}))
