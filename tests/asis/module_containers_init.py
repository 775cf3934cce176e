# Follows: PyTorch tutorial "Modules" (nn.ModuleList/ModuleDict/ParameterList/buffers) and the torch.nn.init docs
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class MyLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_features, out_features))
        self.bias = nn.Parameter(torch.randn(out_features))

    def forward(self, input):
        return (input @ self.weight) + self.bias


class DynamicNet(nn.Module):
    def __init__(self, num_layers):
        super().__init__()
        self.linears = nn.ModuleList([MyLinear(4, 4) for _ in range(num_layers)])
        self.activations = nn.ModuleDict({
            'relu': nn.ReLU(),
            'lrelu': nn.LeakyReLU()
        })
        self.final = MyLinear(4, 1)

    def forward(self, x, act):
        for linear in self.linears:
            x = linear(x)
            x = self.activations[act](x)
        x = self.final(x)
        return x


class RunningMean(nn.Module):
    def __init__(self, num_features, momentum=0.9):
        super().__init__()
        self.momentum = momentum
        self.register_buffer('mean', torch.zeros(num_features))
        self.register_buffer('count', torch.tensor(0), persistent=False)
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(num_features)) for _ in range(2)])
        self.extras = nn.ParameterDict({"shift": nn.Parameter(torch.zeros(num_features))})

    def forward(self, x):
        self.mean = self.momentum * self.mean + (1.0 - self.momentum) * x.mean(0)
        self.count += 1
        out = x - self.mean
        for s in self.scales:
            out = out * s
        return out + self.extras["shift"]


dynamic_net = DynamicNet(3)
rng = np.random.default_rng(21)
with torch.no_grad():
    for p in dynamic_net.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.6, 0.6, tuple(p.shape)).astype(np.float32)))
sample_input = torch.from_numpy(rng.standard_normal((5, 4)).astype(np.float32))
out_relu = dynamic_net(sample_input, 'relu')
out_lrelu = dynamic_net(sample_input, 'lrelu')
param_names = [name for name, _ in dynamic_net.named_parameters()]
module_names = [name for name, _ in dynamic_net.named_modules()]
children = [type(m).__name__ for m in dynamic_net.children()]

rm = RunningMean(4)
for _ in range(3):
    y = rm(sample_input)
buffers = {name: b.tolist() for name, b in rm.named_buffers()}
state_keys = list(rm.state_dict().keys())
rm_params = [name for name, _ in rm.named_parameters()]
y.sum().backward()
scale_grad = rm.scales[0].grad.tolist()

# Initialization via apply
torch.manual_seed(0)


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 32), nn.Tanh(), nn.Linear(32, 10))
net.apply(init_weights)
xavier_bound = (6 / (64 + 128)) ** 0.5
init_stats = {
    "xavier_within_bound": bool(net[0].weight.abs().max().item() <= xavier_bound + 1e-6),
    "xavier_std": net[0].weight.std().item(), "bias_fill": net[0].bias.tolist()[:3],
}


def init_kaiming(m):
    if type(m) is nn.Linear:
        nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='relu')
        nn.init.zeros_(m.bias)


net.apply(init_kaiming)
init_stats.update(kaiming_std=net[0].weight.std().item(), zeros_bias=net[2].bias.abs().sum().item())
w = torch.empty(3, 5)
nn.init.uniform_(w, a=-0.1, b=0.1)
init_stats["uniform_max"] = w.abs().max().item()
nn.init.constant_(w, 0.3)
init_stats["constant_sum"] = w.sum().item()
nn.init.ones_(w)
init_stats["ones_sum"] = w.sum().item()
nn.init.eye_(w)
init_stats["eye"] = w.tolist()
nn.init.normal_(w, mean=0.0, std=0.02)
init_stats["normal_absmax"] = w.abs().max().item()
nn.init.kaiming_uniform_(w, a=5 ** 0.5)
init_stats["kaiming_uniform_absmax"] = w.abs().max().item()
init_stats["gain_relu"] = nn.init.calculate_gain('relu')
init_stats["gain_tanh"] = nn.init.calculate_gain('tanh')
nn.init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5)
init_stats["trunc_absmax"] = w.abs().max().item()
nn.init.orthogonal_(w)
init_stats["orthogonal"] = (w @ w.t()).tolist()

# training mode propagates to submodules; parameter count
net.eval()
modes_eval = [m.training for m in net.modules()]
net.train()
n_params = sum(p.numel() for p in net.parameters())
print(net)
print(F.relu(torch.tensor([-1.0, 2.0])))

print("RESULT", json.dumps({
    "out_relu": out_relu.flatten().tolist(), "out_lrelu": out_lrelu.flatten().tolist(),
    "param_names": param_names, "module_names": module_names, "children": children,
    "buffers": buffers, "state_keys": state_keys, "rm_params": rm_params, "scale_grad": scale_grad,
    **init_stats, "modes_eval": modes_eval, "n_params": n_params, "len_linears": len(dynamic_net.linears),
}))
