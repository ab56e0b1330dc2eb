"""DiffAugment as lib/gan/augment.ts computes it, in PyTorch, for bench/pytorch_dcgan_peer.py.

The same transforms with the same parameter ranges, and the same operations: the colour change as one
affine map per image (a batched 3x3 matrix product, the mean by a matrix product with a constant
vector, the offset spread by a product with ones), each shift as a batched product with 0/1 shift
matrices, the cutout as a product with a 0/1 mask built on the host. Images are NCHW here (PyTorch's
layout) where TensorFlow.js's are NHWC, so the column shift needs no transposes around it.

Draws come from lib/util/random.ts's generator (mulberry32), so a seed gives the same transforms as
there, and tests/bench/dcgan_peer_test.ts compares the two.
"""
import torch

AUGMENTATIONS = ("color", "translation", "cutout")
TRANSLATION_SHARE = 1 / 8  # lib/gan/augment.ts
CUTOUT_SHARE = 1 / 2


def seeded_random(seed):
    """lib/util/random.ts seededRandom: mulberry32, numbers in [0, 1), in unsigned 32-bit arithmetic."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def random():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), state | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) / 4294967296

    return random


def augment(x, policy, seed):
    """Applies `policy`'s transforms in AUGMENTATIONS order to x [batch, 3, height, width]."""
    rng = seeded_random(seed)
    if "color" in policy:
        x = color(x, rng)
    if "translation" in policy:
        x = translate(x, rng)
    if "cutout" in policy:
        x = cutout(x, rng)
    return x


def color(x, rng):
    """Brightness ±0.5, saturation x[0, 2], contrast x[0.5, 1.5] as one affine map per image."""
    batch, channels, height, width = x.shape
    brightness = [rng() - 0.5 for _ in range(batch)]
    saturation = [rng() * 2 for _ in range(batch)]
    contrast = [rng() + 0.5 for _ in range(batch)]
    mixes = torch.empty(batch, channels, channels)
    for b in range(batch):
        grey = (1 - saturation[b]) / channels
        mixes[b] = contrast[b] * (grey + saturation[b] * torch.eye(channels))
    values = channels * height * width
    # The mix is symmetric, so mixes @ x here is TensorFlow.js's x @ mixes in NHWC.
    mixed = torch.bmm(mixes, x.reshape(batch, channels, height * width))
    mean = x.reshape(batch, values) @ torch.full((values, 1), 1 / values)
    offset = mean * torch.tensor(contrast).sub(1).neg().unsqueeze(1) + torch.tensor(brightness).unsqueeze(1)
    spread = offset @ torch.ones(1, values)
    return (mixed.reshape(batch, values) + spread).reshape(x.shape)


def shift_matrices(side, shifts):
    """matrices[b] moves row k to row k + shifts[b] (zeros come in at the edge)."""
    matrices = torch.zeros(len(shifts), side, side)
    for b, shift in enumerate(shifts):
        matrices[b].diagonal(-shift).fill_(1)
    return matrices


def translate(x, rng):
    """Shifts each image by up to 1/8 of its height and width, filling with zeros."""
    batch, _, height, width = x.shape

    def shifts(side):
        most = int(side * TRANSLATION_SHARE)
        return [int(rng() * (2 * most + 1)) - most for _ in range(batch)]

    rows = shift_matrices(height, shifts(height))
    columns = shift_matrices(width, shifts(width))
    by_rows = rows.unsqueeze(1) @ x
    return by_rows @ columns.transpose(1, 2).unsqueeze(1)


def cutout(x, rng):
    """Blanks a rectangle half the height and width of each image, centred anywhere in it."""
    batch, _, height, width = x.shape
    cut_height, cut_width = round(height * CUTOUT_SHARE), round(width * CUTOUT_SHARE)
    mask = torch.ones(x.shape)
    for b in range(batch):
        top = int(rng() * height) - cut_height // 2
        left = int(rng() * width) - cut_width // 2
        mask[b, :, max(0, top):max(0, top + cut_height), max(0, left):max(0, left + cut_width)] = 0
    return x * mask
