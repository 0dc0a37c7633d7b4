#!/usr/bin/env python
"""Server-side CPU of the Backprop view (issue 18): what it adds to a live frame.

Default page (spiral, 240 training points, 1×100 ReLU, full batch), after ``--warmup``
updates, one traced training point:

* ``parts``: ``point_trace``, ``batch_grads`` and the view's whole text
  (``backprop_view.trace_text``: the trace, the batch's gradient and the TeX and Markdown),
  called directly; CPU ms (``time.process_time_ns``, the whole process).
* ``fragment``: the real live fragment (``live.live_frame``) under AppTest while playing, one
  AppTest session per view, Gradients (the default view) and Backprop, frames alternated
  between them so that machine noise hits both alike. CPU ms of ``live_frame`` per frame,
  training included (the same in both). The Gradients view rebuilds its charts every 4th
  frame, so compare the means; the Backprop view recomputes its trace every frame.

Run from the repository root:
    python benchmarks/bench_trace.py [--frames 150] [--warmup 2000] [--blas-threads 1]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench_frame import machine_info, q  # noqa: E402

from playground.app.backprop_view import trace_text  # noqa: E402
from playground.engine.backprop import batch_grads, point_trace  # noqa: E402
from playground.state.playground import Playground  # noqa: E402

TRACED = 17                  # the traced point's index in the training set


def cpu_ms(fn, *args):
    c0 = time.process_time_ns()
    fn(*args)
    return (time.process_time_ns() - c0) / 1e6


def bench_parts(frames, warmup):
    pg = Playground()
    pg.step(warmup)
    net, d = pg.trainer.net, pg.data
    X, y = d.X_train, d.y_train
    parts = {"point_trace": lambda: point_trace(net, X, y, TRACED),
             "batch_grads": lambda: batch_grads(net, X, y),
             "trace_text (all of the above + TeX)":
                 lambda: trace_text(net, X, y, TRACED, d.class_names)}
    out = {name: [] for name in parts}
    for i in range(frames + 5):
        pg.step(pg.settings.speed)         # the numbers change from frame to frame, as live
        for name, fn in parts.items():
            ms = cpu_ms(fn)
            if i >= 5:
                out[name].append(ms)
    return out


def _fragment_script(view, warmup, traced):
    import time as _time

    import streamlit as st

    from playground.app import live
    from playground.app.page_state import KEY, PageState
    from playground.state.playground import Playground

    ss = st.session_state
    if KEY not in ss:
        pg = Playground()
        pg.step(warmup)
        page = ss[KEY] = PageState(pg=pg)
        page.view = ss.w_view = view
        page.traced = traced
        page.traced_at = tuple(float(v) for v in pg.data.X_train[traced])
    page = ss[KEY]
    ss.playing = True
    page.touch()
    page.live.page_inputs = live.page_inputs()
    c0 = _time.process_time_ns()
    live.live_frame()
    ss.bench_ms = (_time.process_time_ns() - c0) / 1e6


def bench_fragment(frames, warmup, views=("Gradients", "Backprop")):
    from streamlit.testing.v1 import AppTest

    sessions = {v: AppTest.from_function(_fragment_script, default_timeout=30,
                                         args=(v, warmup, TRACED)) for v in views}
    out = {v: [] for v in views}
    for i in range(frames + 5):
        for v in (views if i % 2 == 0 else views[::-1]):
            at = sessions[v].run()
            if at.exception:
                raise RuntimeError(f"{v}: {at.exception}")
            if i >= 5:
                out[v].append(at.session_state["bench_ms"])
    shown = [m.value for m in sessions["Backprop"].markdown if m.value.startswith("**Point")]
    assert shown, "the Backprop session shows no trace"
    return out


def table(title, results):
    print(f"\n## {title}")
    print("| part | CPU ms median | p90 | mean |")
    print("|---|---:|---:|---:|")
    for name, vals in results.items():
        print(f"| {name} | {statistics.median(vals):.2f} | {q(vals, .9):.2f} | "
              f"{statistics.fmean(vals):.2f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--warmup", type=int, default=2000, help="updates before timing")
    ap.add_argument("--blas-threads", type=int, default=0,
                    help="limit BLAS threads with threadpoolctl (0: as found)")
    args = ap.parse_args()
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads, user_api="blas")
    info = machine_info()
    print("\n".join(f"{k}: {v}" for k, v in info.items()))
    table(f"parts called directly ({args.frames} frames)", bench_parts(args.frames, args.warmup))
    frag = bench_fragment(args.frames, args.warmup)
    table(f"live_frame under AppTest, playing ({args.frames} frames per view)", frag)
    extra = statistics.fmean(frag["Backprop"]) - statistics.fmean(frag["Gradients"])
    print(f"\nBackprop − Gradients, mean CPU per frame: {extra:+.2f} ms")


if __name__ == "__main__":
    main()
