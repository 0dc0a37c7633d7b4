#!/usr/bin/env python
"""Server-side CPU of one live frame of the playground at default settings, part by part.

What one live frame does (``playground.app.live.live_frame`` while playing, Gradients view,
the default):
train ``speed`` updates (``pg.step``), the decision-map grid forward (``pg.grid``), build five
figures (decision map, loss/accuracy, gradient heatmaps, weight heatmaps, gradient norms),
``fig.to_json()`` each (inside ``live_chart``), ``pg.unit_health()``, plus Streamlit element
calls (metrics, columns, toggle, segmented control, button, five component calls).

Two measurements, same process, same warmed-up playground (``--warmup`` updates first, so the
history series are not empty):

* ``parts``: the parts called directly, in the order ``_live`` calls them, each timed with
  ``time.process_time_ns`` (CPU of the whole process, so BLAS threads count) and
  ``time.perf_counter_ns`` (wall). Variants of the frame (proposed changes) are timed
  interleaved with the baseline, frame by frame, so machine noise hits both alike.
* ``--blas-threads 1`` limits OpenBLAS to one thread (threadpoolctl) for the whole run:
  compare a run with and without it (OpenBLAS worker threads spin after each call and that
  CPU is charged to the process, i.e. to whatever part runs next).
* ``fragment``: the real ``_live`` body run by ``streamlit.testing.v1.AppTest`` (one script
  run = one frame; the script sets ``playing`` and calls ``live.live_frame()``). The parts are
  timed again from inside by wrapping ``Playground.step/grid/unit_health``, the figure
  builders and ``BaseFigure.to_json``; "rest of fragment" = CPU of ``_live`` minus the parts.
  Not included (measured by bench_browser.py from procfs): the server's fragment dispatch,
  protobuf serialisation and websocket send.

Reported: medians (and p90, and means) over frames, in ms. The app rebuilds
the charts of the view only every 4th frame while playing (``views._view_chart``), so the
median is a light frame and the mean is the average cost per frame; quote the mean. Target:
≤ 25 ms CPU per frame excluding the training updates.

The figure builders skip plotly validation in every variant (``figures.common._figure``)
and the entry point limits BLAS to one thread (``playground.app.process``). The parts are timed
before the fragment imports the app, so pass ``--blas-threads 1`` to time them as the app
runs them (without it they show the cost of OpenBLAS's second thread).

Run from the repository root:
    python benchmarks/bench_frame.py [--frames 300] [--warmup 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import plotly  # noqa: E402
import streamlit  # noqa: E402

from playground import figures  # noqa: E402
from playground.state.playground import GRID, Playground  # noqa: E402
from playground.state.settings import Settings  # noqa: E402

PARTS = ("train", "grid", "fig_decision", "fig_loss", "fig_grads", "fig_weights",
         "fig_gradnorm", "unit_health", "to_json")


def machine_info():
    info = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "plotly": plotly.__version__,
        "streamlit": streamlit.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
    }
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in f
                               if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: d.get(k) for k in ("internal_api", "num_threads", "architecture")}
                        for d in threadpool_info()]
    except ImportError:
        pass
    return info


def q(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


# ---------------------------------------------------------------------------------------------
# parts, called directly
# ---------------------------------------------------------------------------------------------
class Timer:
    def __init__(self):
        self.cpu = {}
        self.wall = {}

    def run(self, name, fn, *a, **kw):
        c0, w0 = time.process_time_ns(), time.perf_counter_ns()
        out = fn(*a, **kw)
        c1, w1 = time.process_time_ns(), time.perf_counter_ns()
        self.cpu[name] = self.cpu.get(name, 0) + (c1 - c0)
        self.wall[name] = self.wall.get(name, 0) + (w1 - w0)
        return out


def frame_parts(pg, t, variant):
    """One frame as _live does it (Gradients view); variant tweaks it; returns JSON bytes."""
    tr = pg.trainer
    t.run("train", pg.step, pg.settings.speed)
    hover = variant not in ("no_hover", "lean", "head")
    grid = t.run("grid", pg.grid)
    d = pg.data
    figs = []
    figs.append(t.run("fig_decision", figures.decision_region_figure, grid.xs, grid.ys,
                      grid.probs, d.X_train,
                      d.y_train, d.X_test, d.y_test, class_names=d.class_names,
                      hover_detail=hover))

    def loss():
        history = tr.history.evals.as_dict()
        pinned = [{"label": p.label, "history": p.history} for p in pg.pins]
        lo = tr.history.loss.as_dict()
        return figures.loss_figure(history, log_y=False, pinned=pinned,
                                   batch_loss=(lo["step"], lo["loss"]))
    figs.append(t.run("fig_loss", loss))
    static_every = {"heatmaps_every_5th": 5, "lean": 5, "head": 4}.get(variant, 1)
    rebuild = tr.updates // pg.settings.speed % static_every == 0
    if rebuild:
        figs.append(t.run("fig_grads", figures.gradient_heatmaps_figure, tr.last_grads,
                          names=("dW", "db")))
        figs.append(t.run("fig_weights", figures.gradient_heatmaps_figure,
                          list(zip(tr.net.weights, tr.net.biases)), names=("W", "b")))
    t.run("unit_health", pg.unit_health)
    if variant != "head" or rebuild:
        # "head" (the app, views._view_chart): the grad-norm chart joins the
        # heatmaps in the every-4th-frame rebuild; in between the cached JSON is re-sent
        figs.append(t.run("fig_gradnorm", figures.grad_norm_figure,
                          tr.history.evals.as_dict()))
    sizes = [len(t.run("to_json", f.to_json)) for f in figs]
    if variant == "head":
        cache = pg.__dict__.setdefault("_bench_view_json", [0, 0, 0])
        if rebuild:
            cache[:] = sizes[-3:]
        sizes = sizes[:2] + cache if not rebuild else sizes
    return sizes


def bench_parts(frames, warmup, variants):
    pgs = {v: Playground(Settings()) for v in variants}
    for pg in pgs.values():
        pg.step(warmup)
    res = {v: {"cpu": {p: [] for p in PARTS}, "wall": {p: [] for p in PARTS},
               "cpu_total": [], "cpu_excl_train": [], "wall_total": [], "bytes": []}
           for v in variants}
    for i in range(frames + 5):
        order = variants if i % 2 == 0 else variants[::-1]
        for v in order:
            t = Timer()
            sizes = frame_parts(pgs[v], t, v)
            if i < 5:
                continue
            r = res[v]
            for p in PARTS:
                r["cpu"][p].append(t.cpu.get(p, 0) / 1e6)
                r["wall"][p].append(t.wall.get(p, 0) / 1e6)
            tot = sum(t.cpu.values()) / 1e6
            r["cpu_total"].append(tot)
            r["cpu_excl_train"].append(tot - t.cpu.get("train", 0) / 1e6)
            r["wall_total"].append(sum(t.wall.values()) / 1e6)
            r["bytes"].append(sum(sizes))
    return res, {v: pgs[v].trainer.updates for v in variants}


# ---------------------------------------------------------------------------------------------
# the real fragment body under AppTest
# ---------------------------------------------------------------------------------------------
def _fragment_script():
    import time as _time

    import _bench_frame_acc as acc
    import streamlit as st

    from playground.app import live
    from playground.app.page_state import KEY, PageState
    from playground.state.playground import Playground

    ss = st.session_state
    if KEY not in ss:
        pg = Playground()
        pg.step(acc.WARMUP)
        ss[KEY] = PageState(pg=pg)
    page = ss[KEY]
    ss.playing = True
    page.touch()
    page.live.page_inputs = live.page_inputs()
    acc.reset()
    c0 = _time.process_time_ns()
    live.live_frame()
    acc.live_ns = _time.process_time_ns() - c0


def install_wrappers(acc):
    """Wrap the parts so that their CPU is accumulated into acc.cpu while _live runs."""
    import plotly.basedatatypes as bdt

    from playground.state import playground as session

    def wrap(owner, name, part):
        original = getattr(owner, name)

        def wrapper(*a, **kw):
            c0 = time.process_time_ns()
            try:
                return original(*a, **kw)
            finally:
                acc.cpu[part] = acc.cpu.get(part, 0) + time.process_time_ns() - c0
        setattr(owner, name, wrapper)

    wrap(session.Playground, "step", "train")
    wrap(session.Playground, "grid", "grid")
    wrap(session.Playground, "unit_health", "unit_health")
    wrap(figures, "decision_region_figure", "fig_decision")
    wrap(figures, "loss_figure", "fig_loss")
    wrap(figures, "gradient_heatmaps_figure", "fig_heatmaps (grads+weights)")
    wrap(figures, "grad_norm_figure", "fig_gradnorm")
    wrap(bdt.BaseFigure, "to_json", "to_json")


def bench_fragment(frames, warmup):
    from streamlit.testing.v1 import AppTest

    acc = types.ModuleType("_bench_frame_acc")
    acc.WARMUP = warmup
    acc.cpu = {}
    acc.live_ns = 0

    def reset():
        acc.cpu = {}
    acc.reset = reset
    sys.modules["_bench_frame_acc"] = acc
    install_wrappers(acc)
    at = AppTest.from_function(_fragment_script, default_timeout=30)
    rows = []
    run_cpu = []
    for i in range(frames + 5):
        c0 = time.process_time_ns()
        at.run()
        c1 = time.process_time_ns()
        if at.exception:
            raise RuntimeError(f"AppTest script failed: {at.exception}")
        if i >= 5:
            rows.append((acc.live_ns / 1e6, {k: v / 1e6 for k, v in acc.cpu.items()}))
            run_cpu.append((c1 - c0) / 1e6)
    parts = sorted({k for _, d in rows for k in d})
    out = {"live_total": [r[0] for r in rows], "apptest_run_total": run_cpu}
    for p in parts:
        out[p] = [d.get(p, 0.0) for _, d in rows]
    out["rest_of_fragment"] = [live - sum(parts.values()) for live, parts in rows]
    out["live_excl_train"] = [live - parts.get("train", 0.0) for live, parts in rows]
    return out, at.session_state["page"].pg.trainer.updates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=2000, help="updates before timing")
    ap.add_argument("--variants", default="baseline,no_hover,heatmaps_every_5th,lean,head",
                    help="baseline: every chart rebuilt every frame, full map hover; "
                         "no_hover: decision map with hover_detail=False; heatmaps_every_5th: "
                         "gradient and weight heatmaps redrawn every 5th frame only; lean: both; "
                         "head: the app's live frame since 5e00cfd (map without hover detail, "
                         "heatmaps and grad norms rebuilt every 4th frame, cached JSON re-sent "
                         "otherwise; bytes count the re-sent JSON)")
    ap.add_argument("--skip-fragment", action="store_true")
    ap.add_argument("--blas-threads", type=int, default=0,
                    help="limit BLAS threads with threadpoolctl for the whole run (0: as found)")
    ap.add_argument("--json", help="write the raw results here")
    args = ap.parse_args()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads, user_api="blas")
    info = machine_info()
    info.update(grid=GRID, speed=Settings().speed, frames=args.frames, warmup=args.warmup,
                blas_threads_limit=args.blas_threads or "as found")
    print(json.dumps(info, indent=1))
    variants = args.variants.split(",")

    res, steps = bench_parts(args.frames, args.warmup, variants)
    print(f"\n## parts called directly ({args.frames} frames; updates at end: {steps})")
    # mean as well as median: with a chart rebuilt every 4th/5th frame only, the median is a
    # light frame and the mean is the average cost per frame
    print("| part | " + " | ".join(f"{v} CPU ms median (p90) [mean]" for v in variants)
          + f" | {variants[0]} wall ms median |")
    print("|---|" + "---:|" * (len(variants) + 1))
    for p in PARTS:
        cells = [f"{statistics.median(res[v]['cpu'][p]):.2f} ({q(res[v]['cpu'][p], .9):.2f}) "
                 f"[{statistics.fmean(res[v]['cpu'][p]):.2f}]" for v in variants]
        print(f"| {p} | " + " | ".join(cells)
              + f" | {statistics.median(res[variants[0]]['wall'][p]):.2f} |")
    for key in ("cpu_excl_train", "cpu_total", "wall_total", "bytes"):
        cells = [f"{statistics.median(res[v][key]):.2f} ({q(res[v][key], .9):.2f}) "
                 f"[{statistics.fmean(res[v][key]):.2f}]"
                 if key != "bytes" else f"{statistics.median(res[v][key]):,.0f} "
                 f"[{statistics.fmean(res[v][key]):,.0f}]"
                 for v in variants]
        print(f"| **{key}** | " + " | ".join(cells) + " | |")
    base = statistics.median(res[variants[0]]["cpu_excl_train"])
    for v in variants[1:]:
        base_bytes = statistics.median(res[variants[0]]["bytes"])
        base_mean = statistics.fmean(res[variants[0]]["cpu_excl_train"])
        print(f"ratio {v}/{variants[0]} CPU excl. train: "
              f"{statistics.median(res[v]['cpu_excl_train']) / base:.2f} (medians), "
              f"{statistics.fmean(res[v]['cpu_excl_train']) / base_mean:.2f} (means); bytes: "
              f"{statistics.median(res[v]['bytes']) / base_bytes:.2f}")

    out = {"info": info, "parts": res}
    if not args.skip_fragment:
        frag, fsteps = bench_fragment(args.frames, args.warmup)
        print(f"\n## real _live body under AppTest ({args.frames} frames; updates at end: "
              f"{fsteps})")
        print("| part | CPU ms median | p90 | mean |")
        print("|---|---:|---:|---:|")
        for k, vals in frag.items():
            print(f"| {k} | {statistics.median(vals):.2f} | {q(vals, .9):.2f} | "
                  f"{statistics.fmean(vals):.2f} |")
        out["fragment"] = frag
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f)


if __name__ == "__main__":
    main()
