# Follows: PyTorch tutorial "Text classification with the torchtext library" (TextClassificationModel with
# nn.EmbeddingBag and offsets, collate_batch, clip_grad_norm_, StepLR), with a tiny in-memory vocabulary
import json
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

rng = np.random.default_rng(141)
words = ["sport", "ball", "goal", "team", "market", "stock", "bank", "price", "chip", "code", "data", "cloud",
         "the", "a", "of", "new"]
vocab = {w: i for i, w in enumerate(words)}
topics = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]


def make(n):
    items = []
    for _ in range(n):
        label = int(rng.integers(0, 3))
        length = int(rng.integers(3, 9))
        toks = [words[rng.choice(topics[label])] if rng.uniform() < 0.6 else words[rng.integers(12, 16)]
                for _ in range(length)]
        items.append((label + 1, " ".join(toks)))
    return items


train_iter, test_iter = make(120), make(60)
tokenizer = str.split


def text_pipeline(x):
    return [vocab[t] for t in tokenizer(x)]


def label_pipeline(x):
    return int(x) - 1


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def collate_batch(batch):
    label_list, text_list, offsets = [], [], [0]
    for _label, _text in batch:
        label_list.append(label_pipeline(_label))
        processed_text = torch.tensor(text_pipeline(_text), dtype=torch.int64)
        text_list.append(processed_text)
        offsets.append(processed_text.size(0))
    label_list = torch.tensor(label_list, dtype=torch.int64)
    offsets = torch.tensor(offsets[:-1]).cumsum(dim=0)
    text_list = torch.cat(text_list)
    return label_list.to(device), text_list.to(device), offsets.to(device)


class TextClassificationModel(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_class):
        super(TextClassificationModel, self).__init__()
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
        self.fc = nn.Linear(embed_dim, num_class)
        self.init_weights()

    def init_weights(self):
        initrange = 0.5
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.fc.weight.data.uniform_(-initrange, initrange)
        self.fc.bias.data.zero_()

    def forward(self, text, offsets):
        embedded = self.embedding(text, offsets)
        return self.fc(embedded)


num_class = len(set([label for (label, text) in train_iter]))
vocab_size = len(vocab)
emsize = 8
model = TextClassificationModel(vocab_size, emsize, num_class).to(device)
g = np.random.default_rng(142)
with torch.no_grad():  # deterministic weights in place of init_weights' uniform_
    model.embedding.weight.copy_(torch.from_numpy(g.uniform(-0.5, 0.5, (vocab_size, emsize)).astype(np.float32)))
    model.fc.weight.copy_(torch.from_numpy(g.uniform(-0.5, 0.5, (num_class, emsize)).astype(np.float32)))


def train(dataloader):
    model.train()
    total_acc, total_count = 0, 0
    log_interval = 4
    start_time = time.time()

    for idx, (label, text, offsets) in enumerate(dataloader):
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        total_acc += (predicted_label.argmax(1) == label).sum().item()
        total_count += label.size(0)
        if idx % log_interval == 0 and idx > 0:
            elapsed = time.time() - start_time  # noqa: F841
            print(
                "| epoch {:3d} | {:5d}/{:5d} batches "
                "| accuracy {:8.3f}".format(
                    epoch, idx, len(dataloader), total_acc / total_count
                )
            )
            total_acc, total_count = 0, 0
            start_time = time.time()
    return loss.item()


def evaluate(dataloader):
    model.eval()
    total_acc, total_count = 0, 0

    with torch.no_grad():
        for idx, (label, text, offsets) in enumerate(dataloader):
            predicted_label = model(text, offsets)
            loss = criterion(predicted_label, label)  # noqa: F841
            total_acc += (predicted_label.argmax(1) == label).sum().item()
            total_count += label.size(0)
    return total_acc / total_count


# Hyperparameters
EPOCHS = 4  # epoch
LR = 5  # learning rate
BATCH_SIZE = 16  # batch size for training

criterion = torch.nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=LR)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.1)
total_accu = None
train_dataloader = DataLoader(train_iter, batch_size=BATCH_SIZE, shuffle=False, collate_fn=collate_batch)
test_dataloader = DataLoader(test_iter, batch_size=BATCH_SIZE, shuffle=False, collate_fn=collate_batch)
history = []
for epoch in range(1, EPOCHS + 1):
    epoch_start_time = time.time()
    last_loss = train(train_dataloader)
    accu_val = evaluate(test_dataloader)
    if total_accu is not None and total_accu > accu_val:
        scheduler.step()
    else:
        total_accu = accu_val
    history.append([last_loss, accu_val, optimizer.param_groups[0]["lr"]])

first = collate_batch(train_iter[:3])
ex_text_str = "the team scored a goal with the ball"
with torch.no_grad():
    text = torch.tensor(text_pipeline(ex_text_str.replace("scored ", "").replace("with ", "")))
    output = model(text, torch.tensor([0]))
    predicted = output.argmax(1).item() + 1

# EmbeddingBag's other modes, and a 2-D input without offsets
bag_max = nn.EmbeddingBag(vocab_size, 3, mode="max")
bag_sum = nn.EmbeddingBag(vocab_size, 3, mode="sum")
with torch.no_grad():
    w = torch.from_numpy(g.uniform(-1, 1, (vocab_size, 3)).astype(np.float32))
    bag_max.weight.copy_(w)
    bag_sum.weight.copy_(w)
idx2d = torch.tensor([[1, 2, 4], [4, 3, 9]])

print("RESULT", json.dumps({
    "history": history, "first_labels": first[0].tolist(), "first_offsets": first[2].tolist(),
    "first_text_len": first[1].numel(), "predicted": predicted, "num_class": num_class,
    "bag_max": bag_max(idx2d).tolist(), "bag_sum": bag_sum(idx2d).tolist(),
}))
