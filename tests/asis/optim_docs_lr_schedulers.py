# Follows: torch.optim.lr_scheduler documentation examples -- LambdaLR, MultiplicativeLR, StepLR, ConstantLR,
# LinearLR, SequentialLR, ChainedScheduler, PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR,
# ReduceLROnPlateau; get_last_lr() and scheduler.state_dict()
import json

import torch
from torch import nn
from torch.optim.lr_scheduler import (
    ChainedScheduler, ConstantLR, CosineAnnealingWarmRestarts, CyclicLR, ExponentialLR, LambdaLR, LinearLR,
    MultiplicativeLR, OneCycleLR, PolynomialLR, ReduceLROnPlateau, SequentialLR, StepLR)

model = nn.Linear(2, 1)
result = {}


def run(make, epochs=10, lr=0.05, momentum=0.0, metric=None, **opt_kw):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum, **opt_kw)
    scheduler = make(optimizer)
    lrs = []
    for epoch in range(epochs):
        optimizer.step()
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric(epoch))
        lrs.append(optimizer.param_groups[0]['lr'])
    return lrs, scheduler


# Assuming optimizer has two groups.
lambda1 = lambda epoch: epoch // 30  # noqa: E731
lambda2 = lambda epoch: 0.95 ** epoch  # noqa: E731
optimizer = torch.optim.SGD([{'params': [model.weight]}, {'params': [model.bias]}], lr=0.05)
scheduler = LambdaLR(optimizer, lr_lambda=[lambda1, lambda2])
for epoch in range(5):
    optimizer.step()
    scheduler.step()
result["lambda_two_groups"] = scheduler.get_last_lr()

lmbda = lambda epoch: 0.95  # noqa: E731
result["multiplicative"] = run(lambda o: MultiplicativeLR(o, lr_lambda=lmbda))[0]
result["step"] = run(lambda o: StepLR(o, step_size=3, gamma=0.1))[0]
result["constant"] = run(lambda o: ConstantLR(o, factor=0.5, total_iters=4))[0]
result["linear"] = run(lambda o: LinearLR(o, start_factor=0.5, total_iters=4))[0]
result["sequential"] = run(lambda o: SequentialLR(
    o, schedulers=[ConstantLR(o, factor=0.1, total_iters=2), ExponentialLR(o, gamma=0.9)], milestones=[2]))[0]
result["chained"] = run(lambda o: ChainedScheduler(
    [ConstantLR(o, factor=0.1, total_iters=2), ExponentialLR(o, gamma=0.9)]))[0]
result["polynomial"] = run(lambda o: PolynomialLR(o, total_iters=4, power=1.0))[0]
result["warm_restarts"] = run(lambda o: CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001), epochs=12)[0]
result["cyclic"] = run(lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3), momentum=0.9)[0]
lrs, sched = run(lambda o: OneCycleLR(o, max_lr=0.01, steps_per_epoch=2, epochs=5), momentum=0.9)
result["one_cycle"] = lrs
losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
result["plateau"] = run(lambda o: ReduceLROnPlateau(o, 'min', patience=2), epochs=12,
                        metric=lambda e: losses[e], lr=0.1, momentum=0.9)[0]

# CosineAnnealingWarmRestarts stepped with fractional epochs inside the batch loop
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
scheduler = CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=1)
iters = 4
frac = []
for epoch in range(2):
    for i in range(iters):
        optimizer.step()
        scheduler.step(epoch + i / iters)
        frac.append(scheduler.get_last_lr()[0])
result["warm_restarts_frac"] = frac

sd = StepLR(torch.optim.SGD(model.parameters(), lr=0.05), step_size=3).state_dict()
result["state_dict_has"] = [k in sd for k in ("step_size", "gamma", "last_epoch", "base_lrs")]

print("RESULT", json.dumps(result))
