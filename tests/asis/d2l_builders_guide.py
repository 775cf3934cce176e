# Follows: d2l.ai (2nd ed., PyTorch) "Builders' Guide": Layers and Modules (MLP, MySequential, FixedHiddenMLP,
# NestMLP), Parameter Management (net[2].state_dict(), named_parameters, shared LazyLinear), Parameter
# Initialization (init_normal, init_constant, xavier, my_init), Lazy Initialization, Custom Layers, File I/O
import json

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
result = {}

# ---- Layers and Modules
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))

X = torch.rand(2, 20)
result["seq_shape"] = list(net(X).shape)


class MLP(nn.Module):
    def __init__(self):
        # Call the constructor of the parent class nn.Module to perform
        # the necessary initialization
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.out = nn.LazyLinear(10)

    # Define the forward propagation of the model, that is, how to return the
    # required model output based on the input X
    def forward(self, X):
        return self.out(F.relu(self.hidden(X)))


net = MLP()
result["mlp_shape"] = list(net(X).shape)


class MySequential(nn.Module):
    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            self.add_module(str(idx), module)

    def forward(self, X):
        for module in self.children():
            X = module(X)
        return X


net = MySequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
result["myseq_shape"] = list(net(X).shape)
result["myseq_children"] = [name for name, _ in net.named_children()]


class FixedHiddenMLP(nn.Module):
    def __init__(self):
        super().__init__()
        # Random weight parameters that will not compute gradients and
        # therefore keep constant during training
        self.rand_weight = torch.rand((20, 20))
        self.linear = nn.LazyLinear(20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(X @ self.rand_weight + 1)
        # Reuse the fully connected layer. This is equivalent to sharing
        # parameters with two fully connected layers
        X = self.linear(X)
        # Control flow
        while X.abs().sum() > 1:
            X /= 2
        return X.sum()


net = FixedHiddenMLP()
v = net(X)
result["fixed_hidden_le_1"] = bool(abs(v.item()) <= 1)
result["fixed_hidden_n_params"] = len(list(net.parameters()))


class NestMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(),
                                 nn.LazyLinear(32), nn.ReLU())
        self.linear = nn.LazyLinear(16)

    def forward(self, X):
        return self.linear(self.net(X))


chimera = nn.Sequential(NestMLP(), nn.LazyLinear(20), FixedHiddenMLP())
result["chimera"] = list(chimera(X).shape)

# ---- Parameter Management
net = nn.Sequential(nn.LazyLinear(8),
                    nn.ReLU(),
                    nn.LazyLinear(1))

X = torch.rand(size=(2, 4))
result["pm_shape"] = list(net(X).shape)
sd = net[2].state_dict()
print(sd)
result["pm_sd_keys"] = list(sd.keys())
print(type(net[2].bias), net[2].bias.data)
result["bias_is_param"] = type(net[2].bias).__name__ == "Parameter" and isinstance(net[2].bias, nn.Parameter)
result["grad_none"] = net[2].weight.grad == None  # noqa: E711
result["named_params"] = [(name, list(param.shape)) for name, param in net.named_parameters()]

# We need to give the shared layer a name so that we can refer to its
# parameters
shared = nn.LazyLinear(8)
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(),
                    shared, nn.ReLU(),
                    shared, nn.ReLU(),
                    nn.LazyLinear(1))

net(X)
# Check whether the parameters are the same
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# Make sure that they are actually the same object rather than just having the
# same value
print(net[2].weight.data[0] == net[4].weight.data[0])
result["shared_same"] = bool((net[2].weight.data[0] == net[4].weight.data[0]).all())
result["shared_100"] = net[4].weight.data[0, 0].item()
result["shared_n_params"] = len(list(net.parameters()))

# ---- Parameter Initialization
net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1))
X = torch.rand(size=(2, 4))
net(X).shape


def init_normal(module):
    if type(module) == nn.Linear:  # noqa: E721
        nn.init.normal_(module.weight, mean=0, std=0.01)
        nn.init.zeros_(module.bias)


net.apply(init_normal)
result["init_normal_bias"] = net[0].bias.data[0].item()
result["init_normal_std"] = net[0].weight.data.std().item()


def init_constant(module):
    if type(module) == nn.Linear:  # noqa: E721
        nn.init.constant_(module.weight, 1)
        nn.init.zeros_(module.bias)


net.apply(init_constant)
result["init_constant"] = [net[0].weight.data[0].tolist(), net[0].bias.data[0].item()]


def init_xavier(module):
    if type(module) == nn.Linear:  # noqa: E721
        nn.init.xavier_uniform_(module.weight)


def init_42(module):
    if type(module) == nn.Linear:  # noqa: E721
        nn.init.constant_(module.weight, 42)


net[0].apply(init_xavier)
net[2].apply(init_42)
result["xavier_bound_ok"] = bool(net[0].weight.data.abs().max().item() <= (6 / (4 + 8)) ** 0.5)
result["init_42"] = net[2].weight.data.tolist()


def my_init(module):
    if type(module) == nn.Linear:  # noqa: E721
        print("Init", *[(name, param.shape)
                        for name, param in module.named_parameters()][0])
        nn.init.uniform_(module.weight, -10, 10)
        module.weight.data *= module.weight.data.abs() >= 5


net.apply(my_init)
w = net[0].weight[:2]
result["my_init_ok"] = bool(((w == 0) | (w.abs() >= 5)).all())

net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
result["w00"] = net[0].weight.data[0][0].item()

# ---- Lazy Initialization
net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
print(net[0].weight)
X = torch.rand(2, 20)
net(X)
result["lazy_shape"] = list(net[0].weight.shape)
result["lazy_type"] = type(net[0]).__name__


# ---- Custom Layers
class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


layer = CenteredLayer()
result["centered"] = layer(torch.tensor([1.0, 2, 3, 4, 5])).tolist()
net = nn.Sequential(nn.LazyLinear(128), CenteredLayer())
Y = net(torch.rand(4, 8))
result["centered_mean_small"] = bool(abs(Y.mean().item()) < 1e-5)


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)


linear = MyLinear(5, 3)
linear.weight
with torch.no_grad():
    linear.weight.copy_(torch.from_numpy(np.arange(15, dtype=np.float32).reshape(5, 3) / 10 - 0.7))
    linear.bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
result["mylinear"] = linear(torch.ones(2, 5) / 2).tolist()
net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
result["mylinear_net"] = list(net(torch.rand(2, 64)).shape)

# ---- File I/O
x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
result["x2"] = x2.tolist()
y = torch.zeros(4)
torch.save([x, y], 'x-files')
x2, y2 = torch.load('x-files')
result["xy2"] = [x2.tolist(), y2.tolist()]
mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
result["mydict2"] = sorted(mydict2)


class MLP2(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.LazyLinear(256)
        self.output = nn.LazyLinear(10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


net = MLP2()
X = torch.randn(size=(2, 20))
Y = net(X)
torch.save(net.state_dict(), 'mlp.params')
clone = MLP2()
clone.load_state_dict(torch.load('mlp.params'))
clone.eval()
Y_clone = clone(X)
result["clone_equal"] = bool((Y_clone == Y).all())

print("RESULT", json.dumps(result))
