#!/usr/bin/env python
"""Training-speed benchmark: the playground engine against PyTorch autograd.

What is timed
    Parameter updates per second on the spiral case (N=300, 2 inputs, H=100 ReLU units,
    K=3 classes) for batch gradient descent, mini-batches of 32 and SGD (batch 1), in float32
    and float64.

    * engine: ``Trainer(MLP([2, 100, 3], dtype=...), X, y, lr=..., batch_size=...)`` and
      ``trainer.step(n)``: the real trainer with all of its bookkeeping (per-update loss,
      divergence check, history, a full evaluation every ``eval_every`` updates at its
      default cadence, per-epoch reshuffle).
    * torch: the same network and update written the usual PyTorch way: explicit parameter
      tensors, ``relu``, ``F.cross_entropy``, ``loss.backward()`` and a manual SGD update under
      ``no_grad``, the same batching (``randperm`` reshuffle every epoch, last partial batch),
      ``loss.item()`` kept every update, ``torch.set_num_threads(1)``, the same dtype.

How
    Each side runs in its own worker subprocess (no shared caches, threads or heap), started
    with OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=MKL_NUM_THREADS=1 and additionally pinned with
    threadpoolctl, so both sides use one core. Every configuration is set up and warmed up
    once per worker; then the two sides alternate (order swapped every round) for ``--rounds``
    rounds, each measurement a fixed number of updates. Reported: the median updates/s per side,
    the median of the per-round ratios engine/torch (paired, so a noisy round affects both
    sides alike), and minor page faults per update.

The cost of input features (``--features``, engine only): the same trainer on the raw
inputs against ``MLP([7, 100, 3], features=FEATURES)`` (all seven of TF Playground's
features), alternating round by round, per update in full batch and SGD, both dtypes. The
trainer featurizes its data once at construction, so the difference is the wider first
layer (7 inputs instead of 2), not the features' arithmetic.

Against another version (``--baseline DIR``, a checkout of it): the same engine workload
imported from DIR, alternating with this one round by round; the ratio of the two is what to
compare across machines, where the ratio to PyTorch moves with the CPU.

Before timing, a correctness guard trains both implementations from identical float64 weights
for 20 full-batch updates and checks that the losses agree to 1e-9.

Run from the repository root:  python benchmarks/bench_trainer.py [--quick] [--scaling]
                                [--features] [--baseline DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a worker imports the playground of the checkout it was started for (--baseline)
_IMPORT_ROOT = os.environ.get("BENCH_ENGINE_ROOT", ROOT)
if _IMPORT_ROOT not in sys.path:
    sys.path.insert(0, _IMPORT_ROOT)

# One thread everywhere: set before numpy/torch are imported in the workers.
THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

MODES = {  # name: (batch_size, learning rate; each stable on the spiral for 100k+ updates)
    "full": (None, 1.0),
    "mini32": (32, 0.5),
    "sgd1": (1, 0.1),
}
MODE_LABEL = {"full": "full batch (300)", "mini32": "mini-batch 32", "sgd1": "SGD (batch 1)"}
# updates per timed measurement (normal run); --quick divides them by 10
UPDATES = {"full": 1000, "mini32": 3000, "sgd1": 5000}
WARMUP = {"full": 200, "mini32": 500, "sgd1": 1000}
TARGETS = {("full", "float32"): 5.0, ("full", "float64"): 3.5,
           ("sgd1", "float32"): 10.0, ("sgd1", "float64"): 10.0}


# =============================================================================================
# Data
# =============================================================================================
def spiral(n, seed=0):
    """The benchmark's spiral data: make_dataset("spiral", n, noise=0.2, n_classes=3).
    make_dataset caps n at 5000, so a larger set (scaling runs only) is several independent
    5000-point draws stacked."""
    import numpy as np

    try:
        from playground.engine.datasets import MAX_SAMPLES, make_dataset
    except ImportError:                                  # a --baseline from before the engine/
        from playground.datasets import MAX_SAMPLES, make_dataset

    if n <= MAX_SAMPLES:
        return make_dataset("spiral", n, noise=0.2, n_classes=3, seed=seed)
    parts, left, s = [], n, seed
    while left:
        m = min(left, MAX_SAMPLES)
        parts.append(make_dataset("spiral", m, noise=0.2, n_classes=3, seed=s))
        left -= m
        s += 1
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


# =============================================================================================
# The two implementations
# =============================================================================================
class EngineRun:
    """The playground trainer, used exactly as the app uses it."""

    def __init__(self, n, hidden, dtype, batch_size, lr, seed=0, features=None):
        from playground import MLP, Trainer  # the package root: older layouts too

        X, y = spiral(n)
        inputs = 2 if features is None else len(features)
        extra = {} if features is None else {"features": features}     # older engines too
        self.trainer = Trainer(MLP([inputs, hidden, 3], dtype=dtype, seed=seed, **extra), X, y,
                               lr=lr, batch_size=batch_size)

    def run(self, updates):
        done = self.trainer.step(updates)
        if done != updates or self.trainer.diverged:
            raise RuntimeError(f"engine diverged: {self.trainer.divergence_message}")
        return self.trainer.last_loss


class TorchRun:
    """The same network, loss, update and batching in PyTorch autograd."""

    def __init__(self, n, hidden, dtype, batch_size, lr, seed=0, params=None):
        import numpy as np
        import torch
        import torch.nn.functional as F

        self.torch, self.F = torch, F
        X, y = spiral(n)
        dt = getattr(torch, dtype)
        self.X = torch.tensor(X, dtype=dt)
        self.y = torch.tensor(y, dtype=torch.int64)
        self.n = n
        if params is None:                 # same init as the engine (He, default_rng(seed))
            from playground.engine.model import MLP
            params = MLP([2, hidden, 3], dtype=dtype, seed=seed).params()
        self.params = [torch.tensor(np.array(p), dtype=dt, requires_grad=True) for p in params]
        self.batch_size = batch_size
        self.lr = lr
        self.gen = torch.Generator().manual_seed(seed)
        self.order, self.pos = None, 0
        self.losses = []                   # like the engine's per-update loss history

    def batch(self):
        if self.batch_size is None:
            return self.X, self.y
        if self.order is None:             # reshuffle every epoch
            self.order = self.torch.randperm(self.n, generator=self.gen)
            self.pos = 0
        idx = self.order[self.pos:self.pos + self.batch_size]
        self.pos += len(idx)
        if self.pos >= self.n:
            self.order = None
        return self.X[idx], self.y[idx]

    def run(self, updates):
        torch, F = self.torch, self.F
        W1, b1, W2, b2 = self.params
        lr, losses = self.lr, self.losses
        for _ in range(updates):
            x, y = self.batch()
            scores = torch.relu(x @ W1 + b1) @ W2 + b2
            loss = F.cross_entropy(scores, y)
            loss.backward()
            with torch.no_grad():
                for p in self.params:
                    p.sub_(p.grad, alpha=lr)
                    p.grad = None
            losses.append(loss.item())
        del losses[:-2000]                 # bounded, like the engine's history
        return losses[-1]

    def full_loss(self):
        with self.torch.no_grad():
            W1, b1, W2, b2 = self.params
            scores = self.torch.relu(self.X @ W1 + b1) @ W2 + b2
            return float(self.F.cross_entropy(scores, self.y))


# =============================================================================================
# Worker process: reads JSON commands on stdin, answers one JSON line each
# =============================================================================================
def worker(side):
    import numpy as np
    from threadpoolctl import threadpool_info, threadpool_limits

    if side == "torch":
        import torch
        torch.set_num_threads(1)
    threadpool_limits(1)
    runs = {}
    out = sys.stdout
    sys.stdout = sys.stderr                # stray prints must not corrupt the protocol
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        try:
            if cmd == "info":
                import playground
                reply = {"numpy": np.__version__, "blas": threadpool_info(),
                         "playground": os.path.dirname(playground.__file__)}
                if side == "torch":
                    reply.update(torch=torch.__version__, torch_threads=torch.get_num_threads(),
                                 torch_config=[l.strip() for l in
                                               torch.__config__.parallel_info().splitlines()
                                               if "Math Kernel" in l or "OpenMP" in l
                                               or "get_num_threads" in l])
            elif cmd == "setup":
                cls = EngineRun if side == "engine" else TorchRun
                extra = {"features": msg["features"]} if msg.get("features") else {}
                run = runs[msg["key"]] = cls(msg["n"], msg["hidden"], msg["dtype"],
                                             msg["batch_size"], msg["lr"], **extra)
                t0 = time.perf_counter()
                run.run(msg["warmup"])
                reply = {"warmup_seconds": time.perf_counter() - t0}
            elif cmd == "measure":
                run = runs[msg["key"]]
                f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                t0 = time.perf_counter()
                loss = run.run(msg["updates"])
                dt = time.perf_counter() - t0
                faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0
                reply = {"seconds": dt, "faults": faults, "loss": loss}
            elif cmd == "drop":
                runs.pop(msg["key"], None)
                reply = {}
            else:
                raise ValueError(cmd)
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


class Worker:
    """A worker subprocess; ``root`` is the checkout whose ``playground`` it imports, and
    ``label`` its name in the results (default: the side)."""

    def __init__(self, side, root=ROOT, label=None):
        env = dict(os.environ, **THREAD_ENV, PYTHONPATH=root, BENCH_ENGINE_ROOT=root)
        self.side = label or side
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", side],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=env, cwd=root)

    def ask(self, **msg):
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.side} worker died")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.side} worker: {reply['error']}")
        return reply

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


# =============================================================================================
# Correctness guard (its own subprocess: it imports both libraries)
# =============================================================================================
def guard():
    """20 full-batch float64 updates from identical weights; print the loss difference."""
    import numpy as np
    import torch

    from playground.engine.model import MLP
    torch.set_num_threads(1)
    eng = EngineRun(300, 100, "float64", None, 1.0)
    ref = TorchRun(300, 100, "float64", None, 1.0,
                   params=[p.copy() for p in MLP([2, 100, 3], dtype="float64").params()])
    eng_losses, ref_losses = [], []
    for _ in range(20):
        eng_losses.append(eng.run(1))
        ref_losses.append(ref.run(1))
    step_diff = max(abs(a - b) for a, b in zip(eng_losses, ref_losses))
    eng_final = eng.trainer.evaluate()["train_loss"]
    ref_final = ref.full_loss()
    final_diff = abs(eng_final - ref_final)
    param_diff = max(float(np.abs(a - b.detach().numpy()).max())
                     for a, b in zip(eng.trainer.net.params(), ref.params))
    ok = step_diff < 1e-9 and final_diff < 1e-9
    print(json.dumps({"engine_loss": eng_final, "torch_loss": ref_final, "final_diff": final_diff,
                      "max_step_loss_diff": step_diff, "max_param_diff": param_diff, "ok": ok}))


def run_guard():
    env = dict(os.environ, **THREAD_ENV, PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable, os.path.abspath(__file__), "--guard"], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True)
    g = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"Correctness guard (float64, 20 full-batch updates, lr=1.0, identical initial weights):"
          f"\n  engine loss {g['engine_loss']:.15f}, torch loss {g['torch_loss']:.15f}, "
          f"|Δ| = {g['final_diff']:.2e} (max |Δ| of the 20 per-update losses "
          f"{g['max_step_loss_diff']:.2e}, max |Δ| parameter {g['max_param_diff']:.2e}) -> "
          f"{'OK' if g['ok'] else 'FAILED'} (limit 1e-9)\n")
    if not g["ok"]:
        sys.exit("correctness guard failed: engine and torch disagree")


# =============================================================================================
# Reporting helpers
# =============================================================================================
def machine_info():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    return model, os.cpu_count(), affinity


def print_header(args, eng_info, torch_info):
    model, cores, usable = machine_info()
    print("# Engine training benchmark")
    print(f"date:     {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"command:  {shlex.join([sys.executable] + sys.argv)}")
    print(f"machine:  {model}, {cores} logical cores ({usable} usable), "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {platform.platform()}")
    print(f"python:   {platform.python_version()}; numpy {eng_info['numpy']}; "
          f"torch {torch_info['torch'] if torch_info else '-'}")
    for pool in eng_info["blas"]:
        print(f"BLAS:     {pool.get('internal_api')} {pool.get('version')} "
              f"({os.path.basename(pool.get('filepath', ''))}), "
              f"kernel {pool.get('architecture')}, "
              f"threading {pool.get('threading_layer')}, threads in use {pool.get('num_threads')}")
    if torch_info:
        print(f"torch:    set_num_threads(1) -> {torch_info['torch_threads']} thread(s); "
              + "; ".join(torch_info["torch_config"]))
    print(f"threads:  both workers run with {' '.join(f'{k}={v}' for k, v in THREAD_ENV.items())} "
          f"and threadpoolctl.threadpool_limits(1)")
    print()


def fmt(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def table(rows, headers):
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(len(headers))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 1) + ":" if i else "-" * (w + 2)
                         for i, w in enumerate(widths)) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).rjust(w) if i else str(c).ljust(w)
                                for i, (c, w) in enumerate(zip(r, widths))) + " |")
    print()


def measure_pair(workers, key, updates, rounds):
    """Alternate the sides for `rounds` rounds; return per-side updates/s lists, faults."""
    ups = {w.side: [] for w in workers}
    faults = {w.side: [] for w in workers}
    for r in range(rounds):
        for w in (workers if r % 2 == 0 else workers[::-1]):
            res = w.ask(cmd="measure", key=key, updates=updates)
            ups[w.side].append(updates / res["seconds"])
            faults[w.side].append(res["faults"] / updates)
    return ups, faults


# =============================================================================================
# Main benchmark and scaling
# =============================================================================================
def main_table(args, engine, torch_w):
    div = 10 if args.quick else 1
    rows = []
    results = {}
    workers = [engine] + ([torch_w] if torch_w else [])
    for dtype in args.dtypes:
        for mode in args.modes:
            bs, lr = MODES[mode]
            key = f"{mode}-{dtype}"
            for w in workers:
                w.ask(cmd="setup", key=key, n=300, hidden=100, dtype=dtype, batch_size=bs, lr=lr,
                      warmup=max(20, WARMUP[mode] // div))
            updates = max(20, UPDATES[mode] // div)
            ups, faults = measure_pair(workers, key, updates, args.rounds)
            e = statistics.median(ups["engine"])
            row = [MODE_LABEL[mode], dtype, f"{lr:g}", f"{fmt(e)} ({1e6 / e:.1f} µs)"]
            if torch_w:
                t = statistics.median(ups["torch"])
                ratio = statistics.median(a / b for a, b in zip(ups["engine"], ups["torch"]))
                lo, hi = min(a / b for a, b in zip(ups["engine"], ups["torch"])), \
                    max(a / b for a, b in zip(ups["engine"], ups["torch"]))
                target = TARGETS.get((mode, dtype))
                verdict = "-" if target is None else (
                    f"≥ {target:g}×: {'met' if ratio >= target else 'MISSED'}")
                row += [f"{fmt(t)} ({1e6 / t:.0f} µs)", f"**{ratio:.2f}×**", f"{lo:.2f}–{hi:.2f}",
                        verdict]
                results[key] = ratio
            row += [f"{statistics.median(faults['engine']):.2f}"]
            if torch_w:
                row += [f"{statistics.median(faults['torch']):.2f}"]
            rows.append(row)
            for w in workers:
                w.ask(cmd="drop", key=key)
    headers = ["mode", "dtype", "lr", "engine updates/s", ]
    if torch_w:
        headers += ["torch autograd updates/s", "ratio (median of rounds)", "ratio range",
                    "target"]
    headers += ["engine faults/update"] + (["torch faults/update"] if torch_w else [])
    per = ", ".join(f"{m} {max(20, UPDATES[m] // div)}" for m in args.modes)
    print(f"## Spiral N=300, H=100, K=3: {args.rounds} alternating rounds, "
          f"updates per measurement {per} (after a warm-up)\n")
    table(rows, headers)
    return results


def scaling(args, engine, torch_w):
    """Engine full-batch float32 updates/s over N × H; torch ratio where it is cheap."""
    Ns = (300, 3000) if args.quick else (300, 3000, 30000)
    Hs = (8, 100) if args.quick else (8, 100, 1000)
    budget = 0.05 if args.quick else 0.4        # seconds per engine measurement
    rounds = 3
    rows = []
    for n in Ns:
        for h in Hs:
            key = f"scale-{n}-{h}"
            # torch autograd is ~3-5x slower; skip it where one measurement would take long
            with_torch = torch_w is not None and (n * h <= 3_000_000 or not args.quick)
            workers = [engine] + ([torch_w] if with_torch else [])
            probe = engine.ask(cmd="setup", key=key, n=n, hidden=h, dtype="float32",
                               batch_size=None, lr=1.0, warmup=3)["warmup_seconds"] / 3
            updates = max(3, min(3000, int(budget / probe)))
            for w in workers[1:]:
                w.ask(cmd="setup", key=key, n=n, hidden=h, dtype="float32", batch_size=None,
                      lr=1.0, warmup=2)
            ups, _ = measure_pair(workers, key, updates, rounds)
            e = statistics.median(ups["engine"])
            gflops = 26 * n * h * e / 1e9        # matmul FLOPs per update: 4·N·D·H + 6·N·H·K
            row = [f"{n:,}", f"{h:,}", f"{n * h:,}", updates, f"{fmt(e)}", f"{1e6 / e:,.0f}",
                   f"{gflops:.1f}"]
            if with_torch:
                t = statistics.median(ups["torch"])
                ratio = statistics.median(a / b for a, b in zip(ups["engine"], ups["torch"]))
                row += [fmt(t), f"{ratio:.2f}×"]
            else:
                row += ["-", "-"]
            rows.append(row)
            for w in workers:
                w.ask(cmd="drop", key=key)
    print(f"## Scaling: engine full batch, float32, spiral, K=3, median of {rounds} alternating "
          f"rounds\n")
    table(rows, ["N", "H", "N·H", "updates/measurement", "engine updates/s", "µs/update",
                 "GFLOP/s (matmul)", "torch autograd updates/s", "ratio"])


def features_cost(args, engine):
    """Engine updates/s on the raw inputs against all seven features, alternating."""
    from playground.engine.features import FEATURES

    div = 10 if args.quick else 1
    rows = []
    for dtype in args.dtypes:
        for mode in ("full", "sgd1"):
            bs, lr = MODES[mode]
            updates = max(20, UPDATES[mode] // div)
            keys = {"raw": f"raw-{mode}-{dtype}", "all7": f"all7-{mode}-{dtype}"}
            for name, key in keys.items():
                engine.ask(cmd="setup", key=key, n=300, hidden=100, dtype=dtype, batch_size=bs,
                           lr=lr, warmup=max(20, WARMUP[mode] // div),
                           features=list(FEATURES) if name == "all7" else None)
            ups = {name: [] for name in keys}
            for r in range(args.rounds):
                for name in (keys if r % 2 == 0 else list(keys)[::-1]):
                    res = engine.ask(cmd="measure", key=keys[name], updates=updates)
                    ups[name].append(updates / res["seconds"])
            raw, all7 = statistics.median(ups["raw"]), statistics.median(ups["all7"])
            ratio = statistics.median(b / a for a, b in zip(ups["raw"], ups["all7"]))
            rows.append([MODE_LABEL[mode], dtype, f"{fmt(raw)} ({1e6 / raw:.1f} µs)",
                         f"{fmt(all7)} ({1e6 / all7:.1f} µs)", f"{1e6 / all7 - 1e6 / raw:+.1f} µs",
                         f"{ratio:.2f}×"])
            for key in keys.values():
                engine.ask(cmd="drop", key=key)
    print(f"## Cost of input features: spiral N=300, H=100, K=3, raw x1 x2 against all 7 "
          f"features, median of {args.rounds} alternating rounds\n")
    table(rows, ["mode", "dtype", "raw inputs updates/s", "all 7 features updates/s",
                 "per update", "speed (all 7 / raw)"])


def baseline_table(args, engine, base):
    """This checkout's engine against another's (``--baseline DIR``), alternating: the
    comparison that holds on any machine, where the ratio to PyTorch moves with the CPU."""
    div = 10 if args.quick else 1
    rows = []
    for dtype in args.dtypes:
        for mode in args.modes:
            bs, lr = MODES[mode]
            key = f"base-{mode}-{dtype}"
            for w in (engine, base):
                w.ask(cmd="setup", key=key, n=300, hidden=100, dtype=dtype, batch_size=bs, lr=lr,
                      warmup=max(20, WARMUP[mode] // div))
            updates = max(20, UPDATES[mode] // div)
            ups, _ = measure_pair([engine, base], key, updates, args.rounds)
            e, b = statistics.median(ups[engine.side]), statistics.median(ups[base.side])
            ratios = [x / y for x, y in zip(ups[engine.side], ups[base.side])]
            rows.append([MODE_LABEL[mode], dtype, f"{fmt(e)} ({1e6 / e:.1f} µs)",
                         f"{fmt(b)} ({1e6 / b:.1f} µs)", f"**{statistics.median(ratios):.3f}×**",
                         f"{min(ratios):.3f}–{max(ratios):.3f}"])
            for w in (engine, base):
                w.ask(cmd="drop", key=key)
    print(f"## This engine ({engine.ask(cmd='info')['playground']}) against the baseline "
          f"({base.ask(cmd='info')['playground']}): {args.rounds} alternating rounds\n")
    table(rows, ["mode", "dtype", "this engine updates/s", "baseline updates/s",
                 "speed (this / baseline)", "range"])


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Updates/s of the playground Trainer against PyTorch autograd (spiral, "
                    "N=300, H=100, K=3), each side in its own single-threaded subprocess.")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 2 rounds, 1/10 of the updates, small scaling grid")
    p.add_argument("--scaling", action="store_true",
                   help="also time the engine's full batch for N in {300, 3000, 30000} × "
                        "H in {8, 100, 1000} (float32), with the torch ratio")
    p.add_argument("--scaling-only", action="store_true", help="only the scaling table")
    p.add_argument("--features", action="store_true",
                   help="also time the engine with all 7 input features against the raw inputs "
                        "(full batch and SGD)")
    p.add_argument("--rounds", type=int, default=None, help="alternating rounds (default 7)")
    p.add_argument("--dtypes", nargs="+", default=["float32", "float64"],
                   choices=["float32", "float64"])
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    p.add_argument("--baseline", metavar="DIR",
                   help="also time the engine of another checkout (git worktree add DIR REV) "
                        "against this one, alternating")
    p.add_argument("--no-torch", action="store_true",
                   help="engine only (no torch worker, no ratios, no correctness guard)")
    p.add_argument("--worker", choices=["engine", "torch"], help=argparse.SUPPRESS)
    p.add_argument("--guard", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.rounds is None:
        args.rounds = 2 if args.quick else 7
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args.worker)
    if args.guard:
        return guard()
    if not args.no_torch:
        try:
            import importlib.util
            if importlib.util.find_spec("torch") is None:
                raise ImportError
        except ImportError:
            sys.exit("torch is not installed: pip install torch==2.13.0 (CPU wheel), "
                     "or pass --no-torch")
    engine = Worker("engine")
    torch_w = None if args.no_torch else Worker("torch")
    try:
        print_header(args, engine.ask(cmd="info"), torch_w.ask(cmd="info") if torch_w else None)
        if torch_w:
            run_guard()
        if not args.scaling_only:
            main_table(args, engine, torch_w)
        if args.scaling or args.scaling_only:
            scaling(args, engine, torch_w)
        if args.features:
            features_cost(args, engine)
        if args.baseline:
            base = Worker("engine", root=os.path.abspath(args.baseline), label="baseline")
            try:
                baseline_table(args, engine, base)
            finally:
                base.close()
    finally:
        engine.close()
        if torch_w:
            torch_w.close()


if __name__ == "__main__":
    main()
