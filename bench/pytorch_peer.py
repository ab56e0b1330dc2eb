#!/usr/bin/env python3
"""The genre CNN of lib/models/cnn.ts in PyTorch, timed the way bench/cnn.ts times TensorFlow.js.

bench/cnn.ts runs this script when `python3 -c "import torch"` works, so the WASM figures and
PyTorch's sit side by side in one run. It prints a JSON array of bench records (backend "pytorch").

Threads: by default one, the fair yardstick for WASM, which runs on one thread in Deno (no WASM
threads there); `--threads N` gives it N (bench/cnn.ts also runs it on every core); `--threads 0`
keeps PyTorch's default (1 on the project's 2-core machines: OpenMP sees one core there).

Usage: python3 bench/pytorch_peer.py [--ratios 30,60] [--batch 32] [--genres 7] [--threads 1] [--quick]
"""
import argparse
import json
import re
import time

import torch
from torch import nn

POSTER_WIDTH, POSTER_HEIGHT = 182, 268  # lib/config.ts


def image_size(ratio):
    """Same rounding rule as lib/config.ts imageSize."""
    return max(1, round(POSTER_WIDTH * ratio / 100 + 1e-9)), max(1, round(POSTER_HEIGHT * ratio / 100 + 1e-9))


def genre_cnn(height, width, genres):
    """conv32 same, conv32 valid, pool, dropout .25, conv64 same, conv64 valid, pool, dropout .25,
    dense 512, dropout .5, dense(genres) sigmoid: version 1 (3x3 kernels) of lib/models/cnn.ts."""
    flat_h = ((height - 2) // 2 - 2) // 2
    flat_w = ((width - 2) // 2 - 2) // 2
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(32, 32, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Conv2d(32, 64, 3, padding="same"), nn.ReLU(),
        nn.Conv2d(64, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(),
        nn.Linear(64 * flat_h * flat_w, 512), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(512, genres), nn.Sigmoid(),
    )


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mib():
    with open("/proc/self/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1)) / 1024


def timed(step, batch, quick):
    """(images per wall second, images per CPU-second of this process) over at least 3 steps and 5 s
    (1 step in quick mode) after one warm-up step, as bench/cnn.ts measures."""
    step()
    min_steps, min_seconds = (1, 0.0) if quick else (3, 5.0)
    steps, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while steps < min_steps or time.perf_counter() - start < min_seconds:
        step()
        steps += 1
    images = steps * batch
    return images / (time.perf_counter() - start), images / (time.process_time() - cpu_start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ratios", default="30,60")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--genres", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1, help="0 keeps PyTorch's default")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    note = f"PyTorch {torch.__version__.split('+')[0]}, {threads} thread{'s' if threads > 1 else ''}"
    torch.manual_seed(42)
    records = []
    for ratio in [int(r) for r in args.ratios.split(",") if r]:
        width, height = image_size(ratio)
        model = genre_cnn(height, width, args.genres)
        # tf.train.rmsprop(1e-4) defaults: decay 0.9, epsilon 1e-7, no momentum.
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-4, alpha=0.9, eps=1e-7)
        loss_fn = nn.BCELoss()
        x = torch.rand(args.batch, 3, height, width)
        y = (torch.rand(args.batch, args.genres) > 0.5).float()

        def train_step():
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()

        def infer_step():
            with torch.no_grad():
                model(x)

        for task, step, train in (("cnn-train", train_step, True), ("cnn-infer", infer_step, False)):
            model.train(train)
            reset_peak_rss()
            wall, cpu = timed(step, args.batch, args.quick)
            records.append({"task": task, "backend": "pytorch", "ratio": ratio, "batch": args.batch,
                            "imagesPerSecond": round(wall, 2), "peakRssMiB": round(peak_rss_mib()),
                            "note": f"{note}; {cpu:.1f} images per CPU-second"})
    print(json.dumps(records))


if __name__ == "__main__":
    main()
