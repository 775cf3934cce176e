# Follows: PyTorch "Introduction to PyTorch" series -- Introduction to PyTorch Tensors (tensors_deeper_tutorial)
import json
import math

import torch

# Creating tensors
x = torch.empty(3, 4)
print(type(x))
zeros = torch.zeros(2, 3)
ones = torch.ones(2, 3)
torch.manual_seed(1729)
random = torch.rand(2, 3)
empty_like_shape = list(torch.empty_like(zeros).shape)

some_constants = torch.tensor([[3.1415926, 2.71828], [1.61803, 0.0072897]])
some_integers = torch.tensor((2, 3, 5, 7, 11, 13, 17, 19))
more_integers = torch.tensor(((2, 4, 6), [3, 6, 9]))

# Tensor data types
a = torch.ones((2, 3), dtype=torch.int16)
b = torch.tensor([[0.25, 1.5, 2.75], [3.0, 4.25, 5.5]], dtype=torch.float64) * 20.
c = b.to(torch.int32)
c_int = c.tolist()

# Math & logic with tensors
ones = torch.zeros(2, 2) + 1
twos = torch.ones(2, 2) * 2
threes = (torch.ones(2, 2) * 7 - 1) / 2
fours = twos ** 2
sqrt2s = twos ** 0.5
powers2 = twos ** torch.tensor([[1, 2], [3, 4]])
fives = ones + fours
dozens = threes * fours

# Broadcasting
rand = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8]])
doubled = rand * (torch.ones(1, 4) * 2)
a3 = torch.ones(4, 3, 2)
b3 = a3 * torch.tensor([[0.5, 1.0], [1.5, 2.0], [2.5, 3.0]])  # 3rd & 2nd dims identical to a, dim 1 absent
c3 = a3 * torch.tensor([[0.5], [1.5], [2.5]])  # 3rd dim = 1, 2nd dim identical to a
d3 = a3 * torch.tensor([[0.5, 1.5]])  # 3rd dim identical to a, 2nd dim = 1

# More math with tensors
a = torch.tensor([[-0.6, 0.2], [1.7, -2.3]]) * 2 - 1
print(torch.abs(a))
common = {
    "abs": torch.abs(a).tolist(), "ceil": torch.ceil(a).tolist(), "floor": torch.floor(a).tolist(),
    "clamp": torch.clamp(a, -0.5, 0.5).tolist(),
}
angles = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
sines = torch.sin(angles)
inverses = torch.asin(sines)
# bitwise operations
b = torch.tensor([1, 5, 11])
c = torch.tensor([2, 7, 10])
xor = torch.bitwise_xor(b, c)
# comparisons
d = torch.tensor([[1., 2.], [3., 4.]])
e = torch.ones(1, 2)
eq = torch.eq(d, e)
# reductions
red = {
    "max": torch.max(d).item(), "mean": torch.mean(d).item(), "std": torch.std(d).item(),
    "prod": torch.prod(d).item(), "unique": torch.unique(torch.tensor([1, 2, 1, 2, 1, 2])).tolist(),
}
# vector and linear algebra operations
v1 = torch.tensor([1., 0., 0.])  # x unit vector
v2 = torch.tensor([0., 1., 0.])  # y unit vector
m1 = torch.tensor([[0.5, -1.0], [2.0, 0.25]])
m2 = torch.tensor([[3., 0.], [0., 3.]])  # three times identity matrix
cross = torch.linalg.cross(v2, v1)  # negative of z unit vector (v1 x v2 == -v2 x v1)
m3 = torch.linalg.matmul(m1, m2)  # m3 = 3 times m1
det = torch.det(m1).item()

# Altering tensors in place
a = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
print(torch.sin(a))  # this operation creates a new tensor in memory
print(a)  # a has not changed
b = torch.tensor([0, math.pi / 4, math.pi / 2, 3 * math.pi / 4])
print(torch.sin_(b))  # note the underscore
print(b)  # b has changed
sin_b = b.tolist()
a = torch.ones(2, 2)
b = torch.tensor([[0.5, 0.25], [2.0, 4.0]])
a.add_(b)
b.mul_(b)
add_, mul_ = a.tolist(), b.tolist()
# out= argument
a = torch.tensor([[1., 2.], [3., 4.]])
b = torch.tensor([[0.5, 0.5], [0.5, 0.5]])
c = torch.zeros(2, 2)
old_id = id(c)
d = torch.matmul(a, b, out=c)
same_object = id(c) == old_id and d is c

# Copying tensors
a = torch.ones(2, 2)
b = a
a[0][1] = 561  # we change a...
alias_sees_change = b[0][1].item()
a = torch.ones(2, 2)
b = a.clone()
a[0][1] = 561
clone_unchanged = b[0][1].item()
a = torch.tensor([[0.5, 0.25], [0.75, 1.0]], requires_grad=True)
b = a.clone()
c = a.detach().clone()
clone_requires_grad, detach_requires_grad = b.requires_grad, c.requires_grad

# Manipulating tensor shapes
a = torch.rand(3, 226, 226)
b = a.unsqueeze(0)
c = torch.rand(1, 1, 1, 1, 1)
a2 = torch.rand(1, 20)
b2 = a2.squeeze(0)
c2 = torch.rand(2, 2)
d2 = c2.squeeze(0)  # no-op: dimension 0 has size 2
a4 = torch.ones(4, 3, 2)
b4 = torch.rand(3)
c4 = b4.unsqueeze(1)
output3d = torch.rand(6, 20, 20)
input1d = output3d.reshape(6 * 20 * 20)
reshaped = torch.reshape(output3d, (6 * 20 * 20,))

print("RESULT", json.dumps({
    "x_shape": list(x.shape), "zeros": zeros.tolist(), "ones": ones.tolist(), "random_shape": list(random.shape),
    "empty_like_shape": empty_like_shape, "constants": some_constants.tolist(), "integers": some_integers.tolist(),
    "more_integers": more_integers.tolist(), "c_int": c_int, "threes": threes.tolist(), "fours": fours.tolist(),
    "sqrt2s": sqrt2s.tolist(), "powers2": powers2.tolist(), "fives": fives.tolist(), "dozens": dozens.tolist(),
    "doubled": doubled.tolist(), "b3": b3.sum().item(), "c3": c3[0].tolist(), "d3": d3[1].tolist(), **common,
    "sines": sines.tolist(), "inverses": inverses.tolist(), "xor": xor.tolist(), "eq": eq.tolist(), **red,
    "cross": cross.tolist(), "m3": m3.tolist(), "det": det, "sin_b": sin_b, "mul_": mul_,
    "add_": add_, "same_object": same_object, "d_out": d.tolist(), "alias": alias_sees_change,
    "clone_unchanged": clone_unchanged, "clone_requires_grad": clone_requires_grad,
    "detach_requires_grad": detach_requires_grad, "unsqueeze": list(b.shape), "c5": list(c.shape),
    "squeeze": list(b2.shape), "squeeze_noop": list(d2.shape), "a4c4": list((a4 * c4).shape),
    "reshape": list(input1d.shape), "reshape_eq": bool(torch.equal(input1d, reshaped)),
}))
