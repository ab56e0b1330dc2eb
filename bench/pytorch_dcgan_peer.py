#!/usr/bin/env python3
"""The DCGAN of lib/models/dcgan.ts in PyTorch, its training step timed the way bench/dcgan.ts times
TensorFlow.js.

bench/dcgan.ts runs this script when `python3 -c "import torch"` works, so the TensorFlow.js figures
and PyTorch's sit side by side in one run. It prints a JSON array with one bench record (backend
"pytorch", task `--task`, ratio 0: see the note for the size).

Two cases, each a setting of lib/config.ts:
- the paper's (the default arguments): unconditional, transposed 4x4 stride-2 convolutions;
- the recommended conditional run's (`--size 64x96 --condition-size 19 --upsampling resize
  --generator-conditioning input --skip-excitation --augment color,translation,cutout --average-decay
  0.999`): noise and condition concatenated into the generator (`modulated`: conditional batch norm
  besides, the condition scaling and shifting each of its batch norms' outputs), resize-then-convolve
  upsampling, FastGAN's skip-layer excitation (coarse maps gate the channels of the maps 4 times
  larger), a projection
  discriminator with an AC-GAN classifier head, DiffAugment on every image the discriminator sees
  (bench/pytorch_diffaugment.py), and the generator's weight average updated after each step
  (lib/gan/ema.ts).

The step is lib/gan/step.ts trainStep: fakes from fresh noise without a gradient; one Adam update of
the discriminator on real posters (target 0.9, one-sided label smoothing) and the fakes (target 0),
each batch through it separately, plus, with the classifier head, its genre and decade loss on the
real posters; then one Adam update of the generator on new fakes through the discriminator (target 1,
the non-saturating loss, plus the classifier's loss on the asked conditions), the discriminator's
weights frozen as TensorFlow.js leaves them out of that gradient. Losses and the mean verdicts are
read back every step, as trainStep does.

Threads and arguments follow bench/pytorch_peer.py: one thread by default, `--threads N` for N,
`--threads 0` for PyTorch's default. `--count-parameters` prints the networks' parameter counts as
JSON instead of timing (bench/dcgan.ts checks them against TensorFlow.js's).

Usage: python3 bench/pytorch_dcgan_peer.py [--size 64|WxH] [--filters 32] [--condition-size 0]
  [--upsampling transposed|resize] [--generator-conditioning modulated|input] [--skip-excitation]
  [--augment LIST]
  [--average-decay 0] [--task dcgan-train] [--batch 32] [--threads 1] [--quick] [--count-parameters]
"""
import argparse
import copy
import json
import math

import torch
from torch import nn
from torch.nn import functional as F

from pytorch_diffaugment import AUGMENTATIONS, augment
from pytorch_peer import peak_rss_mib, reset_peak_rss, timed

LATENT_DIM = 100  # DEFAULT_DCGAN_SHAPE.latentDim
LEARNING_RATE, BETA1 = 2e-4, 0.5  # DEFAULT_DCGAN_TRAINING
REAL_LABEL = 0.9  # DEFAULT_OBJECTIVE.realLabel: one-sided label smoothing
GENRES = 14  # ALL_GENRES: a condition is 14 genres (multi-hot), then the decades (one-hot)


def parse_size(text):
    """`64` or `64x96` (width x height) -> (width, height, stride-2 steps, base height), as
    lib/models/dcgan.ts upsamplingSteps: the width 4 x a power of two, the height a multiple of width/4."""
    width, _, height = text.partition("x")
    width, height = int(width), int(height or width)
    steps = math.log2(width / 4)
    base_height = height / 2 ** steps if steps.is_integer() else 0
    if steps < 1 or not steps.is_integer() or not base_height.is_integer() or base_height < 4:
        raise SystemExit(f"--size {text}: use WIDTHxHEIGHT such as 64x64 or 64x96.")
    return width, height, int(steps), int(base_height)


def batch_norm(channels):
    # Keras momentum 0.9 (weight of the old moving statistic) is PyTorch's momentum 0.1.
    return nn.BatchNorm2d(channels, momentum=0.1, eps=1e-5)


class ConditionalBatchNorm(nn.Module):
    """Batch norm; with a condition, then lib/models/dcgan.ts's modulation: x + x*gamma + beta, gamma
    and beta per channel from dense layers of the condition (layers `<bn>_gamma`, `<bn>_beta`), zero at
    the start (init_weights) so it starts as plain batch norm."""

    def __init__(self, channels, condition_size):
        super().__init__()
        self.norm = batch_norm(channels)
        self.modulated = condition_size > 0
        if self.modulated:
            self.gamma = nn.Linear(condition_size, channels)
            self.beta = nn.Linear(condition_size, channels)

    def forward(self, x, condition):
        x = self.norm(x)
        if not self.modulated:
            return x
        gamma, beta = (part(condition)[:, :, None, None] for part in (self.gamma, self.beta))
        return x + x * gamma + beta


class SkipExcitation(nn.Module):
    """lib/models/dcgan.ts skipExcitation: the source map average-pooled to 4 wide, flattened in
    TensorFlow.js's (h, w, c) order, dense, leaky ReLU 0.1, dense, sigmoid: a gate per target channel.
    `level`: which earlier map (0: the base map) is the source."""

    def __init__(self, level, source_channels, source_width, base_height, channels):
        super().__init__()
        self.level, self.factor = level, source_width // 4
        self.read = nn.Linear(base_height * 4 * source_channels, channels)
        self.gate = nn.Linear(channels, channels)

    def forward(self, source, target):
        s = F.avg_pool2d(source, self.factor) if self.factor > 1 else source
        s = s.permute(0, 2, 3, 1).flatten(1)
        s = torch.sigmoid(self.gate(F.leaky_relu(self.read(s), 0.1)))
        return target * s[:, :, None, None]


class Generator(nn.Module):
    """Dense (noise, and the condition when there is one) to base x 4 x filters*2^(steps-1), batch norm,
    ReLU; then per step either a transposed conv 4x4 stride 2 'same' (padding 1 is TensorFlow's 'same'
    here) or nearest 2x then a 3x3 'same' conv, halving the channels, batch norm + ReLU, the last to
    RGB with a bias and tanh. `modulated` (conditional only): each batch norm is conditional.
    `skip_excitation`: from the 16-wide map on, each map but the RGB one is gated by the map 4 times
    smaller (SkipExcitation)."""

    def __init__(self, size, filters, condition_size, upsampling, modulated, skip_excitation=False):
        super().__init__()
        _, _, steps, self.base_height = parse_size(size)
        self.channels = filters * 2 ** (steps - 1)
        self.project = nn.Linear(LATENT_DIM + condition_size, self.base_height * 4 * self.channels)
        modulation = condition_size if modulated else 0
        layers = [ConditionalBatchNorm(self.channels, modulation), nn.ReLU()]
        channels, level_channels = self.channels, [self.channels]
        for i in range(1, steps + 1):
            last = i == steps
            out = 3 if last else channels // 2
            if upsampling == "resize":
                layers += [nn.Upsample(scale_factor=2, mode="nearest"),
                           nn.Conv2d(channels, out, 3, padding=1, bias=last)]
            else:
                layers.append(nn.ConvTranspose2d(channels, out, 4, stride=2, padding=1, bias=last))
            layers += [nn.Tanh()] if last else [ConditionalBatchNorm(out, modulation), nn.ReLU()]
            if skip_excitation and not last and i >= 2:
                source_width = 4 * 2 ** (i - 2)
                layers.append(SkipExcitation(i - 2, level_channels[i - 2], source_width, self.base_height, out))
            level_channels.append(out)
            channels = out
        self.body = nn.ModuleList(layers)

    def forward(self, noise, condition=None):
        x = noise if condition is None else torch.cat([noise, condition], 1)
        x = self.project(x).view(-1, self.channels, self.base_height, 4)
        levels = []  # each block's output map, the sources of skip-layer excitation
        for layer in self.body:
            if isinstance(layer, ConditionalBatchNorm):
                x = layer(x, condition)
            elif isinstance(layer, SkipExcitation):
                x = levels[-1] = layer(levels[layer.level], x)
            else:
                x = layer(x)
                if isinstance(layer, nn.ReLU):
                    levels.append(x)
        return x


class Discriminator(nn.Module):
    """Convs 4x4 stride 2 'same' (a bias on the first only), batch norm from the second, leaky ReLU
    0.2, down to base x 4; flatten; a dense logit. Conditional: plus <embed(condition), features>
    (the projection discriminator, the embedding without a bias), and a dense classifier head over the
    features that returns the condition's logits."""

    def __init__(self, size, filters, condition_size):
        super().__init__()
        _, _, steps, base_height = parse_size(size)
        layers, channels, previous = [], filters, 3
        for i in range(1, steps + 1):
            layers.append(nn.Conv2d(previous, channels, 4, stride=2, padding=1, bias=i == 1))
            if i > 1:
                layers.append(batch_norm(channels))
            layers.append(nn.LeakyReLU(0.2))
            previous, channels = channels, channels * 2
        self.body = nn.Sequential(*layers, nn.Flatten())
        features = previous * base_height * 4
        self.logit = nn.Linear(features, 1)
        self.conditional = condition_size > 0
        if self.conditional:
            self.classifier = nn.Linear(features, condition_size)
            self.embedding = nn.Linear(condition_size, features, bias=False)

    def forward(self, image, condition=None):
        features = self.body(image)
        logit = self.logit(features)
        if not self.conditional:
            return logit, None
        projected = (features * self.embedding(condition)).sum(1, keepdim=True)
        return logit + projected, self.classifier(features)


def init_weights(model):
    """N(0, 0.02) for dense and conv kernels (the paper's, as lib/models/dcgan.ts), then zeros for the
    conditional batch norms' dense layers (as there); Keras defaults (zero bias, unit gamma, zero beta)
    for the rest."""
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(module.weight, 0.0, 0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
    for module in model.modules():
        if isinstance(module, ConditionalBatchNorm) and module.modulated:
            for parameter in (*module.gamma.parameters(), *module.beta.parameters()):
                nn.init.zeros_(parameter)


def parameter_counts(model):
    """Trainable parameters, and all weights: with batch norm's moving mean and variance, as
    TensorFlow.js's countParams() counts them (num_batches_tracked has no TensorFlow.js twin)."""
    trainable = sum(p.numel() for p in model.parameters())
    statistics = sum(buffer.numel() for name, buffer in model.named_buffers()
                     if name.endswith(("running_mean", "running_var")))
    return {"trainable": trainable, "all": trainable + statistics}


def adam(model):
    # tf.train.adam(2e-4, 0.5): beta2 0.999, epsilon 1e-7 (TensorFlow.js's float32 epsilon).
    return torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=(BETA1, 0.999), eps=1e-7)


def classifier_loss(conditions, logits):
    """lib/models/dcgan.ts classifierLoss: the genres' mean sigmoid cross-entropy plus the decade's
    softmax cross-entropy (mean over the batch)."""
    genre_loss = F.binary_cross_entropy_with_logits(logits[:, :GENRES], conditions[:, :GENRES])
    decade_loss = -(conditions[:, GENRES:] * F.log_softmax(logits[:, GENRES:], 1)).sum(1).mean()
    return genre_loss + decade_loss


def random_conditions(batch, condition_size, generator):
    """Condition vectors: each genre on with probability 0.3, one decade."""
    genres = (torch.rand(batch, GENRES, generator=generator) < 0.3).float()
    decades = F.one_hot(torch.randint(condition_size - GENRES, (batch,), generator=generator),
                        condition_size - GENRES).float()
    return torch.cat([genres, decades], 1)


def weight_pairs(average, model):
    """(average's, model's) float tensors, weights and batch-norm statistics, in the same order."""
    pairs = zip(average.state_dict().values(), model.state_dict().values())
    return [(to, source) for to, source in pairs if to.is_floating_point()]


def update_average(pairs, decay, step):
    """lib/gan/ema.ts updateAverage over weight_pairs: average <- d*average + (1-d)*model, with
    d = min(decay, (1 + step) / (10 + step))."""
    d = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        for to, source in pairs:
            to.mul_(d).add_(source, alpha=1 - d)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="64", help="WIDTHxHEIGHT, or WIDTH for a square")
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--condition-size", type=int, default=0, help="0: unconditional")
    parser.add_argument("--upsampling", choices=("transposed", "resize"), default="transposed")
    parser.add_argument("--generator-conditioning", choices=("modulated", "input"), default="modulated",
                        help="conditional generator: conditional batch norm too, or the input only")
    parser.add_argument("--skip-excitation", action="store_true",
                        help="FastGAN's skip-layer excitation in the generator")
    parser.add_argument("--augment", default="", help=f"comma-separated, of {','.join(AUGMENTATIONS)}")
    parser.add_argument("--average-decay", type=float, default=0.0, help="0: no weight average")
    parser.add_argument("--class-weight", type=float, default=1.0,
                        help="weight of the classifier's loss in the generator's")
    parser.add_argument("--task", default="dcgan-train", help="the record's task")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="0 keeps PyTorch's default")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--count-parameters", action="store_true", help="print parameter counts, no timing")
    args = parser.parse_args()
    policy = [p for p in args.augment.split(",") if p]
    for p in policy:
        if p not in AUGMENTATIONS:
            raise SystemExit(f"--augment {args.augment}: use {', '.join(AUGMENTATIONS)}.")
    if 0 < args.condition_size <= GENRES:
        raise SystemExit(f"--condition-size {args.condition_size}: the genres ({GENRES}), then decades.")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    torch.manual_seed(1)
    modulated = args.generator_conditioning == "modulated"
    generator = Generator(args.size, args.filters, args.condition_size, args.upsampling, modulated,
                          args.skip_excitation)
    disc = Discriminator(args.size, args.filters, args.condition_size)
    if args.count_parameters:
        print(json.dumps({"generator": parameter_counts(generator), "discriminator": parameter_counts(disc)}))
        return
    for model in (generator, disc):
        init_weights(model)
        model.train()
    average = copy.deepcopy(generator) if args.average_decay > 0 else None
    pairs = weight_pairs(average, generator) if average is not None else []
    g_optimizer, d_optimizer = adam(generator), adam(disc)
    bce = nn.BCEWithLogitsLoss()  # tf.losses.sigmoidCrossEntropy, mean over the batch
    width, height, _, _ = parse_size(args.size)
    real = torch.rand(args.batch, 3, height, width) * 2 - 1
    conditions = (random_conditions(args.batch, args.condition_size, torch.Generator().manual_seed(3))
                  if args.condition_size else None)
    real_labels = torch.full((args.batch, 1), REAL_LABEL)
    fake_labels = torch.zeros(args.batch, 1)
    ones = torch.ones(args.batch, 1)
    step = 0

    def judge(images, draw):
        """The discriminator's verdict on augmented images, a distinct draw for each use."""
        return disc(augment(images, policy, step * 4 + draw) if policy else images, conditions)

    def train_step():
        nonlocal step
        noise = torch.randn(args.batch, LATENT_DIM)
        with torch.no_grad():
            fake = generator(noise, conditions)
        d_optimizer.zero_grad()
        on_real, real_classes = judge(real, 0)
        on_fake, _ = judge(fake, 1)
        d_loss = bce(on_real, real_labels) + bce(on_fake, fake_labels)
        if real_classes is not None:
            d_loss = d_loss + classifier_loss(conditions, real_classes)
        d_loss.backward()
        d_optimizer.step()
        disc.requires_grad_(False)
        g_optimizer.zero_grad()
        on_generated, classes = judge(generator(noise, conditions), 2)
        g_loss = bce(on_generated, ones)
        if classes is not None:
            g_loss = g_loss + args.class_weight * classifier_loss(conditions, classes)
        g_loss.backward()
        g_optimizer.step()
        disc.requires_grad_(True)
        if average is not None:
            update_average(pairs, args.average_decay, step)
        verdicts = [torch.sigmoid(on_real).mean(), torch.sigmoid(on_fake).mean()]
        torch.stack([d_loss, g_loss, *verdicts]).tolist()
        step += 1

    reset_peak_rss()
    wall, cpu = timed(train_step, args.batch, args.quick)
    shape = (f"{width}x{height}, {args.filters} filters"
             + (f", conditional ({args.condition_size})" if args.condition_size else "")
             + (f", {args.upsampling}" if args.upsampling != "transposed" else "")
             + (", modulated" if args.condition_size and modulated else "")
             + (", skip-layer excitation" if args.skip_excitation else "")
             + (f", augment {'+'.join(policy)}" if policy else "")
             + (f", average {args.average_decay:g}" if average is not None else ""))
    note = (f"PyTorch {torch.__version__.split('+')[0]}, {threads} thread{'s' if threads > 1 else ''}; "
            f"{shape}; {wall / args.batch:.2f} steps/s; {cpu:.1f} images per CPU-second")
    record = {"task": args.task, "backend": "pytorch", "ratio": 0, "batch": args.batch,
              "imagesPerSecond": round(wall, 2), "peakRssMiB": round(peak_rss_mib()), "note": note}
    print(json.dumps([record]))


if __name__ == "__main__":
    main()
