# Follows: PyTorch "Learn the Basics" -- Datasets & DataLoaders and Transforms (Lambda one-hot via scatter_)
import json

import numpy as np
import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, random_split


class FashionLike(Dataset):
    """Generated 6x6 "images" and labels; __getitem__ returns a dict, as many custom datasets do."""

    def __init__(self, n, seed, transform=None, target_transform=None):
        rng = np.random.default_rng(seed)
        self.images = rng.integers(0, 256, (n, 6, 6)).astype(np.uint8)
        self.labels = rng.integers(0, 10, n)
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        image = self.images[idx]
        label = int(self.labels[idx])
        if self.transform:
            image = self.transform(image)
        if self.target_transform:
            label = self.target_transform(label)
        return {"image": image, "label": label, "index": idx}


def to_tensor(pic):
    """What transforms.ToTensor() does for a HxW uint8 image: a 1xHxW float tensor scaled to [0, 1]."""
    return torch.from_numpy(pic).unsqueeze(0).float().div(255)


def one_hot(y):
    return torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1)


ds = FashionLike(40, 1, transform=to_tensor, target_transform=one_hot)
sample = ds[3]
print(sample["image"].shape, sample["label"])

loader = DataLoader(ds, batch_size=8, shuffle=False)
batch = next(iter(loader))
print(sorted(batch.keys()), batch["image"].shape, batch["label"].shape)

sums, label_sums, indices = [], [], []
for b in loader:
    sums.append(b["image"].sum().item())
    label_sums.append(b["label"].sum(0).tolist())
    indices += b["index"].tolist()

# index with a tensor, as the tutorial's dataset checks with torch.is_tensor
by_tensor = ds[torch.tensor(5)]["label"].argmax().item()

# subsets, splits and concatenation
plain = FashionLike(30, 2, transform=to_tensor)
sub = Subset(plain, [0, 2, 4, 6])
both = ConcatDataset([sub, plain])
train_set, val_set = random_split(plain, [24, 6], generator=torch.Generator().manual_seed(42))
split_indices = sorted(train_set.indices + val_set.indices)
val_loader = DataLoader(val_set, batch_size=4)
val_batches = [len(b["label"]) for b in val_loader]


# a dataset returning tuples, with a custom collate_fn that pads to the longest sequence
class Sequences(Dataset):
    def __init__(self):
        self.data = [list(range(1, n + 1)) for n in (3, 1, 4, 2, 5)]

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return torch.tensor(self.data[i]), len(self.data[i])


def pad_collate(batch):
    seqs, lengths = zip(*batch)
    out = torch.zeros(len(seqs), max(lengths), dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, :len(s)] = s
    return out, torch.tensor(lengths)


padded = [(x.tolist(), n.tolist()) for x, n in DataLoader(Sequences(), batch_size=2, collate_fn=pad_collate)]

print("RESULT", json.dumps({
    "sample_shape": list(sample["image"].shape), "sample_label": sample["label"].tolist(),
    "sample_max": sample["image"].max().item(), "keys": sorted(batch.keys()),
    "batch_image_shape": list(batch["image"].shape), "batch_label_shape": list(batch["label"].shape),
    "sums": sums, "label_sums": label_sums, "indices": indices, "by_tensor": by_tensor,
    "len_sub": len(sub), "len_both": len(both), "both_5": both[5]["image"].sum().item(),
    "split_lens": [len(train_set), len(val_set)], "split_indices": split_indices, "val_batches": val_batches,
    "padded": padded,
}))
