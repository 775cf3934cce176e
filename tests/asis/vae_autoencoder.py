# Follows: pytorch/examples vae/main.py (VAE, reparameterize with torch.randn_like, BCE + KLD loss) and a plain
# nn.Sequential autoencoder (encoder/decoder, MSELoss, Adam)
import json

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class Args:
    batch_size = 16
    epochs = 2
    seed = 1
    log_interval = 2
    no_cuda = True


args = Args()
torch.manual_seed(args.seed)
device = torch.device("cpu")
kwargs = {}

rng = np.random.default_rng(71)
protos = (rng.uniform(0, 1, (4, 64)) > 0.6).astype(np.float32)
labels = rng.integers(0, 4, 96)
images = np.clip(protos[labels] * 0.9 + 0.1 * rng.uniform(0, 1, (96, 64)), 0, 1).astype(np.float32)
dataset = torch.utils.data.TensorDataset(torch.from_numpy(images.reshape(96, 1, 8, 8)), torch.from_numpy(labels))
train_loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, shuffle=False, **kwargs)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()

        self.fc1 = nn.Linear(64, 32)
        self.fc21 = nn.Linear(32, 4)
        self.fc22 = nn.Linear(32, 4)
        self.fc3 = nn.Linear(4, 32)
        self.fc4 = nn.Linear(32, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
g = np.random.default_rng(72)
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(g.uniform(-0.25, 0.25, tuple(p.shape)).astype(np.float32)))
optimizer = optim.Adam(model.parameters(), lr=1e-3)


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction='sum')

    # see Appendix B from VAE paper:
    # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

    return BCE + KLD


# deterministic pieces first: the encoder output and the loss at the mean (eps = 0)
x0 = dataset[0][0].unsqueeze(0)
mu0, logvar0 = model.encode(x0.view(-1, 64))
loss_at_mean = loss_function(model.decode(mu0), x0, mu0, logvar0).item()
eps_shape_ok = torch.randn_like(logvar0).shape == logvar0.shape


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader),
                loss.item() / len(data)))

    print('====> Epoch: {} Average loss: {:.4f}'.format(
          epoch, train_loss / len(train_loader.dataset)))
    return train_loss / len(train_loader.dataset)


vae_losses = [train(epoch) for epoch in range(1, args.epochs + 1)]
with torch.no_grad():
    sample = torch.randn(8, 4).to(device)
    sample = model.decode(sample).cpu()
sample_in_01 = bool(((sample >= 0) & (sample <= 1)).all())


# A plain autoencoder: deterministic, so its numbers compare exactly
class AutoEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 16), nn.ReLU(True), nn.Linear(16, 3))
        self.decoder = nn.Sequential(nn.Linear(3, 16), nn.ReLU(True), nn.Linear(16, 64), nn.Sigmoid())

    def forward(self, x):
        x = self.encoder(x)
        x = self.decoder(x)
        return x


ae = AutoEncoder()
with torch.no_grad():
    for p in ae.parameters():
        p.copy_(torch.from_numpy(g.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))
criterion = nn.MSELoss()
ae_opt = torch.optim.Adam(ae.parameters(), lr=1e-2, weight_decay=1e-5)
ae_losses = []
for epoch in range(3):
    for img, _ in train_loader:
        img = img.view(img.size(0), -1)
        output = ae(img)
        loss = criterion(output, img)
        ae_opt.zero_grad()
        loss.backward()
        ae_opt.step()
    ae_losses.append(loss.item())
codes = ae.encoder(torch.from_numpy(images[:4])).detach()

print("RESULT", json.dumps({
    "mu0": mu0.tolist(), "logvar0": logvar0.tolist(), "loss_at_mean": loss_at_mean, "eps_shape_ok": eps_shape_ok,
    "vae_losses": vae_losses, "sample_in_01": sample_in_01, "ae_losses": ae_losses, "codes": codes.tolist(),
}))
