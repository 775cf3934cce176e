# Follows: PyTorch "Learn the Basics" -- Datasets & DataLoaders (custom Dataset, DataLoader iteration)
import json

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset


class CustomDataset(Dataset):
    """A map-style dataset over generated "images" (the tutorial reads image files and a CSV of labels)."""

    def __init__(self, n, transform=None, target_transform=None):
        rng = np.random.default_rng(17)
        self.images = rng.standard_normal((n, 1, 4, 4)).astype(np.float32)
        self.img_labels = rng.integers(0, 10, n)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.img_labels)

    def __getitem__(self, idx):
        image = torch.from_numpy(self.images[idx])
        label = int(self.img_labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return image, label


training_data = CustomDataset(50, transform=lambda img: img * 2.0)
train_dataloader = DataLoader(training_data, batch_size=8, shuffle=True)

# Display image and label.
train_features, train_labels = next(iter(train_dataloader))
print(f"Feature batch shape: {train_features.size()}")
print(f"Labels batch shape: {train_labels.size()}")
img = train_features[0].squeeze()
label = train_labels[0]

# every sample exactly once per epoch, whatever the order
seen_sum, seen_labels, batch_sizes = 0.0, [], []
for X, y in train_dataloader:
    seen_sum += X.sum().item()
    seen_labels += y.tolist()
    batch_sizes.append(X.size(0))

# TensorDataset in order
xs = torch.from_numpy(np.arange(30, dtype=np.float32).reshape(10, 3))
ys = torch.arange(10)
ds = TensorDataset(xs, ys)
ordered = DataLoader(ds, batch_size=4, shuffle=False)
ordered_batches = [(X.sum().item(), y.tolist()) for X, y in ordered]
dropped = DataLoader(ds, batch_size=4, shuffle=False, drop_last=True)
item = ds[3]

print("RESULT", json.dumps({
    "feature_shape": list(train_features.size()), "labels_shape": list(train_labels.size()),
    "img_shape": list(img.shape), "label_dtype": str(label.dtype), "len_loader": len(train_dataloader),
    "len_dataset": len(train_dataloader.dataset), "seen_sum": seen_sum,
    "seen_labels_sorted": sorted(seen_labels), "batch_sizes": batch_sizes,
    "ordered_batches": ordered_batches, "len_dropped": len(dropped), "n_dropped_batches": len(list(dropped)),
    "item": [item[0].tolist(), item[1].item()], "len_ds": len(ds),
}))
