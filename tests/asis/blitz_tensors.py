# Follows: PyTorch 60-minute blitz / Learn the Basics -- Tensors (tensor_tutorial)
import json

import numpy as np
import torch

# Initializing a tensor directly from data
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)

# From a NumPy array
np_array = np.array(data)
x_np = torch.from_numpy(np_array)

# From another tensor
x_ones = torch.ones_like(x_data)  # retains the properties of x_data
x_rand = torch.rand_like(x_data, dtype=torch.float)  # overrides the datatype of x_data

# With random or constant values
shape = (2, 3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)

# Attributes of a tensor
tensor = torch.rand(3, 4)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")
attrs = {"shape": list(tensor.shape), "dtype": str(tensor.dtype), "device": str(tensor.device),
         "x_data_dtype": str(x_data.dtype), "x_np_dtype": str(x_np.dtype), "x_rand_dtype": str(x_rand.dtype)}

# Move to the GPU if available
if torch.cuda.is_available():
    tensor = tensor.to("cuda")

# Standard numpy-like indexing and slicing
tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
print(tensor)

# Joining tensors
t1 = torch.cat([tensor, tensor, tensor], dim=1)

# Arithmetic operations: matrix multiplication
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)

# element-wise product
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)

# Single-element tensors
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))

# In-place operations
tensor.add_(5)
print(tensor)

# Bridge with NumPy: tensor to NumPy array (memory is shared on the CPU)
t = torch.ones(5)
n = t.numpy()
t.add_(1)
shared_t2n = n.tolist()

# NumPy array to tensor
n2 = np.ones(5)
t2 = torch.from_numpy(n2)
np.add(n2, 1, out=n2)
shared_n2t = t2.tolist()

print("RESULT", json.dumps({
    "x_data": x_data.tolist(), "x_np": x_np.tolist(), "x_ones": x_ones.tolist(),
    "x_rand_in_01": float(bool((x_rand >= 0).all() and (x_rand < 1).all())),
    "rand_shape": list(rand_tensor.shape), "ones_sum": ones_tensor.sum().item(), "zeros_sum": zeros_tensor.sum().item(),
    **attrs,
    "t1_shape": list(t1.shape), "t1_sum": t1.sum().item(),
    "y1": y1.tolist(), "y_equal": float(torch.equal(y1, y2) and torch.equal(y1, y3)),
    "z_equal": float(torch.equal(z1, z2) and torch.equal(z1, z3)), "agg_item": agg_item,
    "agg_type": type(agg_item).__name__, "tensor_after_add": tensor.tolist(),
    "shared_t2n": shared_t2n, "shared_n2t": shared_n2t,
}))
