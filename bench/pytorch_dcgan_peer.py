#!/usr/bin/env python3
"""The DCGAN of lib/models/dcgan.ts in PyTorch, its training step timed the way bench/dcgan.ts times
TensorFlow.js.

bench/dcgan.ts runs this script when `python3 -c "import torch"` works, so the WASM figures and
PyTorch's sit side by side in one run. It prints a JSON array with one bench record (backend
"pytorch", task "dcgan-train", ratio 0: the images are square, see the note).

The step is lib/gan/train.ts trainStep, unconditional: fakes from fresh noise without a gradient; one
Adam update of the discriminator on real posters (target 0.9, one-sided label smoothing) and the
fakes (target 0), each batch through it separately; then one Adam update of the generator on new
fakes through the discriminator (target 1, the non-saturating loss), the discriminator's weights
frozen as TensorFlow.js leaves them out of that gradient. Losses are read back every step, as
trainStep does.

Threads and arguments follow bench/pytorch_peer.py: one thread by default (WASM runs on one in Deno),
`--threads N` for N, `--threads 0` for PyTorch's default.

Usage: python3 bench/pytorch_dcgan_peer.py [--size 64] [--filters 32] [--batch 32] [--threads 1] [--quick]
"""
import argparse
import json
import math

import torch
from torch import nn

from pytorch_peer import peak_rss_mib, reset_peak_rss, timed

LATENT_DIM = 100  # DEFAULT_DCGAN_SHAPE.latentDim
LEARNING_RATE, BETA1 = 2e-4, 0.5  # lib/gan/train.ts
REAL_LABEL = 0.9  # lib/gan/train.ts: one-sided label smoothing


def upsampling_steps(size):
    """Stride-2 layers between 4x4 and `size` (lib/models/dcgan.ts upsamplingSteps)."""
    steps = math.log2(size / 4)
    if steps < 1 or not steps.is_integer():
        raise SystemExit(f"--size {size}: use a power of two of 8 or more, such as 32 or 64.")
    return int(steps)


def batch_norm(channels):
    # Keras momentum 0.9 (weight of the old moving statistic) is PyTorch's momentum 0.1.
    return nn.BatchNorm2d(channels, momentum=0.1, eps=1e-5)


class Generator(nn.Module):
    """Dense to 4x4 x filters*2^(steps-1), batch norm, ReLU; transposed convs 4x4 stride 2 'same'
    (padding 1 is TensorFlow's 'same' here) halving the channels, batch norm + ReLU, the last to RGB
    with a bias and tanh."""

    def __init__(self, size, filters):
        super().__init__()
        steps = upsampling_steps(size)
        self.channels = filters * 2 ** (steps - 1)
        self.project = nn.Linear(LATENT_DIM, 4 * 4 * self.channels)
        layers = [batch_norm(self.channels), nn.ReLU()]
        channels = self.channels
        for i in range(1, steps + 1):
            last = i == steps
            out = 3 if last else channels // 2
            layers.append(nn.ConvTranspose2d(channels, out, 4, stride=2, padding=1, bias=last))
            layers += [nn.Tanh()] if last else [batch_norm(out), nn.ReLU()]
            channels = out
        self.body = nn.Sequential(*layers)

    def forward(self, noise):
        return self.body(self.project(noise).view(-1, self.channels, 4, 4))


def discriminator(size, filters):
    """Convs 4x4 stride 2 'same' (a bias on the first only), batch norm from the second, leaky ReLU
    0.2, down to 4x4; flatten; a dense logit."""
    steps = upsampling_steps(size)
    layers, channels, previous = [], filters, 3
    for i in range(1, steps + 1):
        layers.append(nn.Conv2d(previous, channels, 4, stride=2, padding=1, bias=i == 1))
        if i > 1:
            layers.append(batch_norm(channels))
        layers.append(nn.LeakyReLU(0.2))
        previous, channels = channels, channels * 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(previous * 4 * 4, 1))


def init_weights(model):
    """N(0, 0.02) for dense and conv kernels (the paper's, as lib/models/dcgan.ts); Keras defaults
    (zero bias, unit gamma, zero beta) for the rest."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def adam(model):
    # tf.train.adam(2e-4, 0.5): beta2 0.999, epsilon 1e-7 (TensorFlow.js's float32 epsilon).
    return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, 0.999), eps=1e-7)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="0 keeps PyTorch's default")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    torch.manual_seed(1)
    generator, disc = Generator(args.size, args.filters), discriminator(args.size, args.filters)
    for model in (generator, disc):
        init_weights(model)
        model.train()
    g_optimizer, d_optimizer = adam(generator), adam(disc)
    loss_fn = nn.BCEWithLogitsLoss()  # tf.losses.sigmoidCrossEntropy, mean over the batch
    real = torch.rand(args.batch, 3, args.size, args.size) * 2 - 1
    real_labels = torch.full((args.batch, 1), REAL_LABEL)
    fake_labels = torch.zeros(args.batch, 1)
    ones = torch.ones(args.batch, 1)

    def train_step():
        noise = torch.randn(args.batch, LATENT_DIM)
        with torch.no_grad():
            fake = generator(noise)
        d_optimizer.zero_grad()
        d_loss = loss_fn(disc(real), real_labels) + loss_fn(disc(fake), fake_labels)
        d_loss.backward()
        d_optimizer.step()
        disc.requires_grad_(False)
        g_optimizer.zero_grad()
        g_loss = loss_fn(disc(generator(noise)), ones)
        g_loss.backward()
        g_optimizer.step()
        disc.requires_grad_(True)
        d_loss.item(), g_loss.item()

    reset_peak_rss()
    wall, cpu = timed(train_step, args.batch, args.quick)
    note = (f"PyTorch {torch.__version__.split('+')[0]}, {threads} thread{'s' if threads > 1 else ''}; "
            f"{args.size}x{args.size}, {args.filters} filters; {wall / args.batch:.2f} steps/s; "
            f"{cpu:.1f} images per CPU-second")
    record = {"task": "dcgan-train", "backend": "pytorch", "ratio": 0, "batch": args.batch,
              "imagesPerSecond": round(wall, 2), "peakRssMiB": round(peak_rss_mib()), "note": note}
    print(json.dumps([record]))


if __name__ == "__main__":
    main()
