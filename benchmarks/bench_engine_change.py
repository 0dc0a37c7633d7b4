#!/usr/bin/env python
"""An engine change, measured side by side: this checkout's trainer against another one's.

Both engines are imported into one process (each from its own ``playground/`` package) and
train the spiral case (N=300, H=100, K=3) in the same configurations as
``bench_trainer.py``: full batch (lr 1), mini-batches of 32 (lr 0.5) and SGD (batch 1,
lr 0.1), in float32 and float64, one BLAS thread. The two alternate for ``--rounds``
rounds (order swapped every round); reported are each side's median µs per update and the
median of the per-round speed-ups (base time / this time), which a shared, noisy machine
affects far less than the absolute times.

Make a base checkout first, e.g.::

    git worktree add /tmp/engine-base <commit>      # or: git clone . /tmp/engine-base
    python benchmarks/bench_engine_change.py --base /tmp/engine-base [--rounds 9]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODES = {"full": (None, 1.0, 1000), "mini32": (32, 0.5, 3000), "sgd1": (1, 0.1, 5000)}


def load_engine(root):
    """Import ``playground`` from ``root`` under its own module objects."""
    for name in [m for m in sys.modules if m == "playground" or m.startswith("playground.")]:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        mods = tuple(importlib.import_module(f"playground.{m}")
                     for m in ("model", "training", "datasets"))
    finally:
        sys.path.remove(root)
    return mods


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="checkout of the engine to compare against")
    p.add_argument("--rounds", type=int, default=9)
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    args = p.parse_args()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    engines = {"base": load_engine(os.path.abspath(args.base)), "this": load_engine(ROOT)}
    print(f"# Engine change, side by side\ndate: {datetime.datetime.now().isoformat()}"
          f"\ncommand: {' '.join([os.path.basename(sys.executable), *sys.argv])}"
          f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| mode | dtype | base µs/update | this µs/update | speed-up (median, range) |")
    print("|---|---|---:|---:|---:|")
    for dtype in args.dtypes:
        for mode in args.modes:
            batch_size, lr, updates = MODES[mode]
            trainers = {}
            for side, (model, training, datasets) in engines.items():
                X, y = datasets.make_dataset("spiral", 300, noise=0.2, n_classes=3)
                tr = training.Trainer(model.MLP([2, 100, 3], dtype=dtype), X, y, lr=lr,
                                      batch_size=batch_size)
                tr.step(updates // 5)                               # warm-up
                trainers[side] = tr
            times = {side: [] for side in trainers}
            speedups = []
            for r in range(args.rounds):
                order = ("base", "this") if r % 2 == 0 else ("this", "base")
                for side in order:
                    t0 = time.perf_counter()
                    done = trainers[side].step(updates)
                    times[side].append((time.perf_counter() - t0) / updates * 1e6)
                    if done != updates:
                        raise RuntimeError(f"{side} diverged in {mode} {dtype}")
                speedups.append(times["base"][-1] / times["this"][-1])
            print(f"| {mode} | {dtype} | {statistics.median(times['base']):.1f} | "
                  f"{statistics.median(times['this']):.1f} | **{statistics.median(speedups):.2f}×**"
                  f" ({min(speedups):.2f}–{max(speedups):.2f}) |")
    print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
