# Follows: PyTorch tutorials "Sequence Models and LSTM Networks" (nn.LSTM step by step, LSTMTagger with
# nn.Embedding) and "NLP From Scratch: Classifying Names with a Character-Level RNN" (hand-written RNN cell)
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

rng = np.random.default_rng(151)


def deterministic(module, scale=0.3):
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(torch.from_numpy(rng.uniform(-scale, scale, tuple(p.shape)).astype(np.float32)))
    return module


# nn.LSTM one step at a time, then the whole sequence at once
lstm = deterministic(nn.LSTM(3, 3))  # Input dim is 3, output dim is 3
inputs = [torch.from_numpy(rng.standard_normal((1, 3)).astype(np.float32)) for _ in range(5)]
hidden = (torch.from_numpy(rng.standard_normal((1, 1, 3)).astype(np.float32)),
          torch.from_numpy(rng.standard_normal((1, 1, 3)).astype(np.float32)))
h0 = hidden
for i in inputs:
    # Step through the sequence one element at a time.
    # after each step, hidden contains the hidden state.
    out, hidden = lstm(i.view(1, 1, -1), hidden)
step_out = out.flatten().tolist()
inputs_cat = torch.cat(inputs).view(len(inputs), 1, -1)
out, hidden = lstm(inputs_cat, h0)
seq_out = out[-1].flatten().tolist()
lstm_param_names = [name for name, _ in lstm.named_parameters()]

# Example: an LSTM for part-of-speech tagging
training_data = [
    # Tags are: DET - determiner; NN - noun; V - verb
    # For example, the word "The" is a determiner
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"])
]
word_to_ix = {}
# For each words-list (sentence) and tags-list in each tuple of training_data
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:  # word has not been assigned an index yet
            word_to_ix[word] = len(word_to_ix)  # Assign each word with a unique index
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}  # Assign each tag with a unique index


def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    return torch.tensor(idxs, dtype=torch.long)


EMBEDDING_DIM = 6
HIDDEN_DIM = 6


class LSTMTagger(nn.Module):

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim

        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)

        # The LSTM takes word embeddings as inputs, and outputs hidden states
        # with dimensionality hidden_dim.
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)

        # The linear layer that maps from hidden state space to tag space
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


model = deterministic(LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix)))
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

# See what the scores are before training
with torch.no_grad():
    inputs = prepare_sequence(training_data[0][0], word_to_ix)
    tag_scores_before = model(inputs).tolist()

for epoch in range(60):  # again, normally you would NOT do 300 epochs, it is toy data
    for sentence, tags in training_data:
        # Step 1. Remember that Pytorch accumulates gradients.
        # We need to clear them out before each instance
        model.zero_grad()

        # Step 2. Get our inputs ready for the network, that is, turn them into
        # Tensors of word indices.
        sentence_in = prepare_sequence(sentence, word_to_ix)
        targets = prepare_sequence(tags, tag_to_ix)

        # Step 3. Run our forward pass.
        tag_scores = model(sentence_in)

        # Step 4. Compute the loss, gradients, and update the parameters by
        #  calling optimizer.step()
        loss = loss_function(tag_scores, targets)
        loss.backward()
        optimizer.step()

# See what the scores are after training
with torch.no_grad():
    inputs = prepare_sequence(training_data[0][0], word_to_ix)
    tag_scores = model(inputs)
    predicted_tags = tag_scores.argmax(dim=1).tolist()

# The character-level RNN of "Classifying Names", written from nn.Linear cells
all_letters = "abcdefghijklmnopqrstuvwxyz"
n_letters = len(all_letters)


def letterToIndex(letter):
    return all_letters.find(letter)


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()

        self.hidden_size = hidden_size

        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = self.i2h(combined)
        output = self.i2o(combined)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


all_categories = ["english", "italian", "japanese"]
names = [("smith", 0), ("jones", 0), ("rossi", 1), ("bianchi", 1), ("tanaka", 2), ("suzuki", 2)]
rnn = deterministic(RNN(n_letters, 16, len(all_categories)), scale=0.2)
criterion = nn.NLLLoss()
learning_rate = 0.05


def train(category_tensor, line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    # Add parameters' gradients to their values, multiplied by learning rate
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


rnn_losses = []
for it in range(20):
    for name, cat in names:
        output, loss_value = train(torch.tensor([cat], dtype=torch.long), lineToTensor(name))
    rnn_losses.append(loss_value)
guess = categoryFromOutput(output)

print("RESULT", json.dumps({
    "step_out": step_out, "seq_out": seq_out, "hidden_shapes": [list(h.shape) for h in hidden],
    "lstm_param_names": lstm_param_names, "tag_scores_before": tag_scores_before,
    "tag_scores": tag_scores.tolist(), "predicted_tags": predicted_tags, "loss": loss.item(),
    "rnn_losses": rnn_losses[::4], "guess": list(guess),
}))
