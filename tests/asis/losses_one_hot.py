# Follows: torch.nn docs examples -- CrossEntropyLoss (class indices, probabilities, label_smoothing, weight,
# ignore_index), NLLLoss with LogSoftmax, F.one_hot, BCEWithLogitsLoss(pos_weight), SmoothL1/Huber, KLDivLoss
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

rng = np.random.default_rng(41)
logits = torch.tensor(rng.standard_normal((6, 5)), dtype=torch.float32, requires_grad=True)
target = torch.tensor([1, 0, 4, 2, 2, 3])
res = {}

# Example of target with class indices
loss = nn.CrossEntropyLoss()
output = loss(logits, target)
output.backward()
res["ce"] = output.item()
res["ce_grad"] = logits.grad.flatten().tolist()

# Example of target with class probabilities
probs = torch.tensor(rng.uniform(0, 1, (6, 5)), dtype=torch.float32).softmax(dim=1)
res["ce_probs"] = F.cross_entropy(logits, probs).item()

res["ce_smooth"] = F.cross_entropy(logits, target, label_smoothing=0.1).item()
res["ce_weight"] = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0]))(logits, target).item()
res["ce_ignore"] = F.cross_entropy(logits, torch.tensor([1, -100, 4, 2, -100, 3])).item()
res["ce_none"] = F.cross_entropy(logits, target, reduction='none').tolist()
res["ce_sum"] = F.cross_entropy(logits, target, reduction='sum').item()

# NLLLoss after LogSoftmax
m = nn.LogSoftmax(dim=1)
nll = nn.NLLLoss()
res["nll"] = nll(m(logits), target).item()
res["nll_f"] = F.nll_loss(F.log_softmax(logits, dim=1), target).item()

# one-hot encoding
one_hot = F.one_hot(target, num_classes=5)
res["one_hot"] = one_hot.tolist()
res["one_hot_auto"] = list(F.one_hot(torch.arange(0, 5) % 3).shape)
res["one_hot_dtype_is_long"] = one_hot.dtype == torch.long
res["mse_onehot"] = F.mse_loss(logits.softmax(1), one_hot.float()).item()

# binary losses
x = torch.tensor(rng.standard_normal((4, 3)), dtype=torch.float32)
y = torch.tensor(rng.integers(0, 2, (4, 3)), dtype=torch.float32)
res["bce_logits"] = nn.BCEWithLogitsLoss()(x, y).item()
res["bce_logits_pos_weight"] = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([1.0, 2.0, 3.0]))(x, y).item()
res["bce"] = nn.BCELoss()(torch.sigmoid(x), y).item()
res["bce_weighted"] = F.binary_cross_entropy(torch.sigmoid(x), y, weight=torch.tensor([0.5, 1.0, 2.0])).item()

# regression losses
a = torch.tensor(rng.standard_normal(8) * 2, dtype=torch.float32)
b = torch.tensor(rng.standard_normal(8), dtype=torch.float32)
res["l1"] = nn.L1Loss()(a, b).item()
res["smooth_l1"] = nn.SmoothL1Loss()(a, b).item()
res["smooth_l1_beta"] = F.smooth_l1_loss(a, b, beta=0.5).item()
res["huber"] = nn.HuberLoss(delta=0.5)(a, b).item()

# KL divergence, input in log-space
kl_loss = nn.KLDivLoss(reduction="batchmean")
inp = F.log_softmax(torch.tensor(rng.standard_normal((3, 5)), dtype=torch.float32), dim=1)
tgt = F.softmax(torch.tensor(rng.standard_normal((3, 5)), dtype=torch.float32), dim=1)
res["kl"] = kl_loss(inp, tgt).item()

print("RESULT", json.dumps(res))
