#!/usr/bin/env python
"""Server cost of a live frame with a given view open, at default settings.

One ``AppTest`` session per view: the page is opened, the view chosen, Play switched on, and
then every script run is one live frame (as in ``bench_frame.py``'s fragment part). Each
frame's wall time and process CPU are taken around ``at.run()``; reported per view: mean,
median and p90 over the frames (the views rebuild some charts every few frames, so the mean
is the cost per frame), and the updates the race made per frame. AppTest runs the whole
script per frame (the sidebar too), so the figures are an upper bound of the fragment's
cost; compare views side by side. Processes share the machine: note the load average.

Run from the repository root:
    python benchmarks/bench_view_frame.py [--frames 80] [--views Gradients,Race,Landscape]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "app"))


def measure(view, frames, warmup):
    from apptest import new_session, page

    at = new_session()
    at.segmented_control(key="w_view").set_value(view).run()
    at.toggle(key="playing").set_value(True).run()
    for _ in range(warmup):
        at.run()
    walls, cpus, race_updates = [], [], []
    for _ in range(frames):
        race = page(at).race
        before = race.updates if race is not None else 0
        w0, c0 = time.perf_counter(), time.process_time()
        at.run()
        walls.append(1000 * (time.perf_counter() - w0))
        cpus.append(1000 * (time.process_time() - c0))
        if race is not None:
            race_updates.append(page(at).race.updates - before)
    assert not at.exception, at.exception

    def stats(v):
        v = sorted(v)
        return {"mean": statistics.fmean(v), "median": statistics.median(v),
                "p90": v[int(0.9 * (len(v) - 1))]}
    out = {"view": view, "frames": frames, "wall_ms": stats(walls), "cpu_ms": stats(cpus)}
    if race_updates:
        out["race_updates_per_frame"] = statistics.fmean(race_updates)
        out["race_finished"] = page(at).race.finished
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frames", type=int, default=80)
    ap.add_argument("--warmup", type=int, default=8)
    ap.add_argument("--views", default="Gradients,Race,Landscape")
    args = ap.parse_args()
    print(json.dumps({"loadavg_at_start": os.getloadavg(), "command": " ".join(sys.argv)}))
    for view in args.views.split(","):
        r = measure(view, args.frames, args.warmup)
        print(json.dumps(r, default=lambda v: round(v, 2)))


if __name__ == "__main__":
    main()
