#!/usr/bin/env python
"""Memory of one playground session over 10⁶ updates at default settings, accelerated.

No browser and no Streamlit: a ``playground.session.Playground(Settings())`` (what the app
keeps in ``st.session_state``) is driven the way the live fragment drives it, frame by frame:
``pg.step(speed)`` (which also evaluates and offers a replay snapshot), and every
``--grid-every`` frames the decision-map forward ``pg.grid()`` and the history reads the
figures make (``history.evals.as_dict()``, ``history.loss.as_dict()``). At ``--samples``
evenly spaced points it records:

* ``tracemalloc`` current traced bytes (Python and NumPy allocations; tracing is on for the
  whole run, which slows it down but does not change what is allocated);
* process RSS (procfs) and peak RSS (``ru_maxrss``);
* the bounded structures: history rows and stride, snapshot count and spacing, their bytes.

"Bounded and flat" = traced memory after the first sample stays within a few hundred kB and
RSS does not trend upward (slope reported per 10⁵ updates over the second half).

Run from the repository root:
    python benchmarks/bench_memory.py [--updates 1000000] [--samples 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

from playground.state.playground import Playground  # noqa: E402
from playground.state.settings import Settings  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--updates", type=int, default=1_000_000)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--grid-every", type=int, default=10, help="frames between grid/figure reads")
    ap.add_argument("--no-tracemalloc", action="store_true")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="threadpoolctl BLAS limit (0: as found); 1 only makes it faster here: "
                         "with 2 threads the grid GEMM collapsed to ~80 ms on the loaded box")
    ap.add_argument("--json")
    args = ap.parse_args()
    import plotly
    import streamlit
    info = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "python": platform.python_version(), "numpy": np.__version__,
            "plotly": plotly.__version__, "streamlit": streamlit.__version__,
            "cpus": os.cpu_count(), "loadavg": os.getloadavg(),
            "command": " ".join([os.path.basename(sys.executable), *sys.argv])}
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads, user_api="blas")
    info["blas_threads_limit"] = args.blas_threads or "as found"
    print(json.dumps(info))
    if not args.no_tracemalloc:
        tracemalloc.start()
    pg = Playground(Settings())
    speed = pg.settings.speed
    frames = args.updates // speed
    every = max(1, frames // args.samples)
    rows = []
    t0 = time.perf_counter()
    print("| updates | traced MB | traced peak MB | RSS MB | evals rows (stride) | loss rows "
          "(stride) | snapshots (every) | snapshot kB | s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for f in range(1, frames + 1):
        pg.step(speed)
        if f % args.grid_every == 0:
            pg.grid()
            pg.trainer.history.evals.as_dict()
            pg.trainer.history.loss.as_dict()
        if f % every == 0 or f == 1:
            tr = pg.trainer
            cur, peak = tracemalloc.get_traced_memory() if tracemalloc.is_tracing() else (0, 0)
            snap_bytes = sum(p.nbytes for ps in pg.snapshots.params for p in ps)
            row = {"updates": tr.updates, "traced_mb": cur / 2**20, "traced_peak_mb": peak / 2**20,
                   "rss_mb": rss_mb(), "evals_rows": len(tr.history.evals),
                   "evals_stride": tr.history.evals.stride, "loss_rows": len(tr.history.loss),
                   "loss_stride": tr.history.loss.stride, "snapshots": len(pg.snapshots.updates),
                   "snapshot_every": pg.snapshots.every, "snapshot_kb": snap_bytes / 1024,
                   "seconds": time.perf_counter() - t0,
                   "loss": float(tr.last_loss) if tr.last_loss is not None else None}
            rows.append(row)
            print(f"| {row['updates']:,} | {row['traced_mb']:.2f} | {row['traced_peak_mb']:.2f} | "
                  f"{row['rss_mb']:.1f} | {row['evals_rows']} ({row['evals_stride']}) | "
                  f"{row['loss_rows']} ({row['loss_stride']}) | {row['snapshots']} "
                  f"({row['snapshot_every']}) | {row['snapshot_kb']:.0f} | {row['seconds']:.0f} |",
                  flush=True)
    half = rows[len(rows) // 2:]
    xs = [r["updates"] / 1e5 for r in half]
    summary = {
        "traced_mb_after_first_sample": [rows[1]["traced_mb"], rows[-1]["traced_mb"]],
        "traced_mb_max": max(r["traced_mb"] for r in rows[1:]),
        "traced_slope_kb_per_1e5_updates_2nd_half":
            1024 * slope(xs, [r["traced_mb"] for r in half]),
        "rss_mb_first_last_max": [rows[0]["rss_mb"], rows[-1]["rss_mb"],
                                  max(r["rss_mb"] for r in rows)],
        "rss_slope_mb_per_1e5_updates_2nd_half": slope(xs, [r["rss_mb"] for r in half]),
        "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "updates_per_s": rows[-1]["updates"] / rows[-1]["seconds"],
    }
    if tracemalloc.is_tracing():
        top = tracemalloc.take_snapshot().statistics("lineno")[:8]
        summary["top_allocation_sites"] = [
            f"{st.traceback[0].filename.replace(ROOT + os.sep, '')}:{st.traceback[0].lineno} "
            f"{st.size / 2**20:.2f} MB in {st.count} blocks" for st in top]
    print(json.dumps(summary, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "rows": rows, "summary": summary}, f, indent=1)


if __name__ == "__main__":
    main()
