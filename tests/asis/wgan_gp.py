# Follows: WGAN-GP (Gulrajani et al.) as in the PyTorch-GAN collection's wgan_gp.py: one critic and one generator step
import json

import numpy as np
import torch
import torch.nn as nn

latent_dim, data_dim, batch_size = 4, 8, 16
lambda_gp = 10


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(latent_dim, 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, data_dim),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(data_dim, 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 16),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(16, 1),
        )

    def forward(self, x):
        validity = self.model(x)
        return validity


generator = Generator()
discriminator = Discriminator()

# deterministic weights (NumPy)
np.random.seed(13)
with torch.no_grad():
    for p in list(generator.parameters()) + list(discriminator.parameters()):
        p.copy_(torch.tensor(np.random.uniform(-0.3, 0.3, tuple(p.shape)), dtype=torch.float32))

optimizer_G = torch.optim.Adam(generator.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=0.0002, betas=(0.5, 0.999))


def compute_gradient_penalty(D, real_samples, fake_samples):
    """Calculates the gradient penalty loss for WGAN GP"""
    # Random weight term for interpolation between real and fake samples
    alpha = torch.tensor(np.random.random((real_samples.size(0), 1)), dtype=torch.float32)
    # Get random interpolation between real and fake samples
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = torch.ones(real_samples.shape[0], 1)
    # Get gradient w.r.t. interpolates
    gradients = torch.autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=fake,
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


history = []
n_critic = 2
for i in range(4):
    real_imgs = torch.tensor(np.random.normal(0.5, 0.2, (batch_size, data_dim)), dtype=torch.float32)

    # Train Discriminator
    optimizer_D.zero_grad()
    z = torch.tensor(np.random.normal(0, 1, (real_imgs.shape[0], latent_dim)), dtype=torch.float32)
    fake_imgs = generator(z)
    real_validity = discriminator(real_imgs)
    fake_validity = discriminator(fake_imgs)
    gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data)
    # Adversarial loss
    d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty
    d_loss.backward()
    d_grad_norm = discriminator.model[0].weight.grad.norm().item()
    optimizer_D.step()

    optimizer_G.zero_grad()
    # Train the generator every n_critic steps
    if i % n_critic == 0:
        fake_imgs = generator(z)
        fake_validity = discriminator(fake_imgs)
        g_loss = -torch.mean(fake_validity)
        g_loss.backward()
        optimizer_G.step()
    history.append([d_loss.item(), gradient_penalty.item(), g_loss.item(), d_grad_norm])
    print(f"[Batch {i}] [D loss: {d_loss.item():f}] [G loss: {g_loss.item():f}]")

print("RESULT", json.dumps({"d_loss": [h[0] for h in history], "gp": [h[1] for h in history],
                            "g_loss": [h[2] for h in history], "d_grad_norm": [h[3] for h in history],
                            "d_w0_norm": discriminator.model[0].weight.norm().item()}))
