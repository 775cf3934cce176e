# Follows: PyTorch DCGAN tutorial (weights_init, BCELoss, D and G steps), with linear layers on small vectors
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(999)
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

nz, ngf, ndf, nx = 8, 32, 32, 16
batch_size = 16
num_epochs = 2
lr = 0.0002
beta1 = 0.5

real_np = np.tanh(np.random.default_rng(18).normal(0.3, 0.5, (64, nx))).astype(np.float32)
dataloader = DataLoader(TensorDataset(torch.from_numpy(real_np)), batch_size=batch_size, shuffle=True)


# custom weights initialization called on netG and netD
def weights_init(m):
    classname = m.__class__.__name__
    if classname.find('Linear') != -1:
        m.weight.data.normal_(0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.main = nn.Sequential(
            nn.Linear(nz, ngf, bias=False),
            nn.BatchNorm1d(ngf),
            nn.ReLU(True),
            nn.Linear(ngf, nx, bias=False),
            nn.Tanh()
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.main = nn.Sequential(
            nn.Linear(nx, ndf, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(ndf, 1, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        return self.main(input)


netG = Generator().to(device)
netG.apply(weights_init)
netD = Discriminator().to(device)
netD.apply(weights_init)
g_w_std = netG.main[0].weight.std().item()
bn_w_mean = netG.main[1].weight.mean().item()

criterion = nn.BCELoss()
fixed_noise = torch.randn(8, nz, device=device)
real_label = 1.
fake_label = 0.

optimizerD = optim.Adam(netD.parameters(), lr=lr, betas=(beta1, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=lr, betas=(beta1, 0.999))

G_losses, D_losses, D_xs = [], [], []
for epoch in range(num_epochs):
    for i, data in enumerate(dataloader, 0):
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = data[0].to(device)
        b_size = real_cpu.size(0)
        label = torch.full((b_size,), real_label, dtype=torch.float, device=device)
        output = netD(real_cpu).view(-1)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        noise = torch.randn(b_size, nz, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach()).view(-1)
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        # (2) Update G network: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)  # fake labels are real for generator cost
        output = netD(fake).view(-1)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()

        G_losses.append(errG.item())
        D_losses.append(errD.item())
        D_xs.append(D_x)

with torch.no_grad():
    fake = netG.eval()(fixed_noise).detach().cpu()
print("RESULT", json.dumps({"g_w_std": g_w_std, "bn_w_mean": bn_w_mean, "G_loss": G_losses[-1],
                            "D_loss": D_losses[-1], "D_x": D_xs[-1], "n_steps": len(G_losses),
                            "fake_shape": list(fake.shape), "fake_absmax": fake.abs().max().item()}))
