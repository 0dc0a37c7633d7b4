#!/usr/bin/env python
"""The automatic learning rates' evidence: on the default spiral (300 points, 1–4 hidden layers
of 100 ReLUs, float32 like the live page), every optimizer × batch mode × depth trained at
each learning rate for up to 3,000 updates; printed are the updates to 95 % training accuracy
(checked every 50), or why not (diverged, or the units died). The classification task's
``auto_lr`` (``playground.engine.tasks``) takes, per row, a fast rate one step or more below
the smallest that failed.

    python benchmarks/sweep_learning_rates.py [--json out.json]    # ~5 min on 2 cores
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from threadpoolctl import threadpool_limits  # noqa: E402

from playground.engine.tasks import CLASSIFICATION  # noqa: E402
from playground.state.playground import Playground  # noqa: E402
from playground.state.settings import Settings  # noqa: E402

RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
DEPTHS = (1, 2, 4)
TARGET, CHUNK, MAX_UPDATES = 0.95, 50, 3000


def updates_to_target(settings):
    """Updates to TARGET training accuracy (a multiple of CHUNK), or "diverged" / "dead" /
    "slow"."""
    pg = Playground(settings)
    tr = pg.trainer
    while tr.updates < MAX_UPDATES:
        pg.step(CHUNK)
        if tr.diverged:
            return "diverged"
        if tr.metrics["train_acc"] >= TARGET:
            return tr.updates
    return "dead" if max(pg.unit_health()) >= 0.9 else "slow"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="write the table here too")
    args = ap.parse_args()
    threadpool_limits(1, user_api="blas")
    print(f"# {time.strftime('%Y-%m-%d')} · {platform.processor() or platform.machine()} · "
          f"Python {platform.python_version()} · {' '.join(sys.argv)}")
    table = {}
    for (optimizer, mode), auto in CLASSIFICATION.auto_lr.items():
        for depth, chosen in zip(DEPTHS, auto):
            row = {lr: updates_to_target(Settings(optimizer=optimizer, batch_mode=mode,
                                                  widths=(100,) * depth, lr=lr,
                                                  lr_auto=False))
                   for lr in RATES}
            table[f"{optimizer} | {mode} | {depth}"] = {"auto": chosen, **row}
            cells = " ".join(f"{lr:g}:{v}" for lr, v in row.items())
            print(f"{optimizer:8} {mode:10} {depth} layer(s)  auto {chosen:<6g} {cells}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(table, fh, indent=1)


if __name__ == "__main__":
    main()
