"""The Race view: 2–4 batch modes trained in lock step from the same initial weights, their
curves on one clock, their decision maps side by side and who reached the target first.

While the page plays, each frame advances the race by the chosen updates per runner (the
race's own speed: on the default spiral a whole race takes well under a second of training,
too fast to watch), within RACE_BUDGET seconds shared by the runners (see
:mod:`playground.state.race`). The runners are edited while paused (a
widget inside the live fragment can lose its state when frames and page runs overlap, and
paused nothing overlaps); a plan takes effect when the race is (re)started.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import figures
from ..engine.tasks import task
from ..state.race import (
    CHECK_EVERY,
    MAX_RUNNERS,
    MIN_RUNNERS,
    RACE_MODES,
    Race,
    RunnerPlan,
    default_plan,
    race_key,
)
from ..state.settings import LEARNING_RATES
from .page_state import one_at_a_time, page_state
from .viewkit import memory, register, sticky_segmented_control, throttled_chart, touch

RACE_BUDGET = 0.05           # seconds of training per frame, shared by the runners
RACE_SPEEDS = (1, 3, 10, 30, 100, 1000)   # updates per runner per frame (1000: the budget)
# while playing, the race's charts are rebuilt every 4th frame, as the other views' (every
# 2nd frame cost the page ~1 refresh/s in Chromium)
CURVES_EVERY = MAPS_EVERY = 4
OFF, AUTO = "—", "auto"


@dataclass
class RaceMemory:
    race: Race | None = None             # the race on the track
    plan: tuple | None = None            # its runners as set (RunnerPlan), for the next start
    clock: str = "seconds"               # the curves' clock (figures.X_AXES)
    speed: int = 10                      # updates per runner per frame


def race_memory(page) -> RaceMemory:
    return memory(page, RaceMemory)


@register("Race", position=7)
def show_race(page):
    pg = page.pg
    if not task(pg.data.task).accuracy:
        st.info("The race is for classification only for now: its runners race to 95 % "
                "training accuracy, and a regression run has no accuracy. Switch the problem "
                "type to classification to race the batch modes.",
                icon=":material/sports_score:")
        return
    mem = race_memory(page)
    if mem.race is None:
        mem.race = Race(pg.settings, pg.data, _plan(mem))
    race = mem.race
    playing = bool(st.session_state.get("playing"))
    if playing:
        race.step_budget(RACE_BUDGET, updates=mem.speed)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    with row.popover("Runners", icon=":material/tune:"):
        _plan_editor(mem, playing)
    row.button("Restart race", icon=":material/restart_alt:", on_click=_restart,
               help="Start the race again from the same initial weights, with the runners "
                    "as set (and the current data, network, optimizer and L2).")
    clock = mem.clock = sticky_segmented_control(
        "Clock", list(figures.X_AXES), "w_race_x", mem.clock, row,
        label_visibility="collapsed",
        format_func=lambda k: figures.X_AXES[k].replace(" of training", ""), on_change=touch)
    mem.speed = sticky_segmented_control(
        "Updates per frame", RACE_SPEEDS, "w_race_speed", mem.speed, on_change=_on_speed,
        format_func=lambda v: "max" if v == RACE_SPEEDS[-1] else f"{v}",
        help=f"Updates each runner makes per frame while playing (max: as many as fit the "
             f"frame's {RACE_BUDGET * 1000:.0f} ms).")
    st.markdown(f"**{race.result_line(clock)}**")
    st.caption(" · ".join(race.standings()))
    if race.key != race_key(pg.settings, pg.data):
        st.caption("The data, network, optimizer or L2 changed since this race started: "
                   "Restart it to race on them.")
    # the maps first: small, they stay in view under the controls
    _chart(page, race, "race_maps", MAPS_EVERY, None, "race-maps", lambda: _maps(race))
    _chart(page, race, "race_curves", CURVES_EVERY, clock, "race-curves", lambda: (
        figures.race_curves_figure([r.trainer.history.evals.as_dict() for r in race.runners],
                                   [r.label for r in race.runners], x=clock,
                                   target=race.target, height=340)))
    st.caption(f"Lock step: every runner makes the same number of updates, from the same "
               f"initial weights, within a frame's {RACE_BUDGET * 1000:.0f} ms of training. "
               f"Seconds are each runner's own CPU time in its updates; the target is "
               f"{race.target:.0%} training accuracy, checked every {CHECK_EVERY} updates."
               .replace("%", " %"))


def _maps(race):
    xs, ys, probs = race.grids()
    d = race.data
    titles = [("✓ " if r.arrival else "✗ " if r.trainer.diverged else "") + r.plan.mode
              for r in race.runners]
    return figures.race_maps_figure(xs, ys, probs, titles, d.X_train, d.y_train)


def _chart(page, race, key, every, detail, filename, build):
    """A race chart, rebuilt when the race moved on, but while playing only every
    ``every``-th frame; a new race or another clock is drawn at once."""
    throttled_chart(page, key, race.serial, race.updates, detail, every, build, filename,
                    height=380)


def _plan_editor(mem, playing):
    if playing:
        st.caption("Pause to change the runners.")
        for r in mem.race.runners:
            st.text(r.label)
        return
    plan = list(mem.plan or default_plan())
    ss = st.session_state
    st.caption(f"{MIN_RUNNERS}–{MAX_RUNNERS} runners; each gets its batch mode and learning "
               f"rate (auto: the one that suits its batch mode). Applied on restart.")
    for i in range(MAX_RUNNERS):
        p = plan[i] if i < len(plan) else None
        mode_key, lr_key = f"w_race_mode_{i}", f"w_race_lr_{i}"
        # widgets not drawn while playing lose their state: the plan remembers it
        if mode_key not in ss:
            ss[mode_key] = p.mode if p else OFF
        if lr_key not in ss:
            ss[lr_key] = AUTO if p is None or p.lr is None else p.lr
        c1, c2 = st.columns([3, 2])
        c1.selectbox(f"Runner {i + 1}", (OFF, *RACE_MODES), key=mode_key, on_change=_read_plan)
        c2.selectbox("Learning rate", (AUTO, *LEARNING_RATES), key=lr_key,
                     on_change=_read_plan, format_func=lambda v: v if v == AUTO else f"{v:g}")
    if mem.plan is not None and len(mem.plan) < MIN_RUNNERS:
        st.warning(f"Choose at least {MIN_RUNNERS} runners (a restart now runs the default "
                   f"race).")


@one_at_a_time
def _read_plan():
    """The runners' widgets changed: keep their plan (at least MIN_RUNNERS of them)."""
    page = page_state()
    page.touch()
    ss = st.session_state
    plan = []
    for i in range(MAX_RUNNERS):
        mode = ss.get(f"w_race_mode_{i}", OFF)
        lr = ss.get(f"w_race_lr_{i}", AUTO)
        if mode in RACE_MODES:
            plan.append(RunnerPlan(mode, None if lr == AUTO else float(lr)))
    race_memory(page).plan = tuple(plan)


def _plan(mem):
    """The runners as set, or the default race when fewer than MIN_RUNNERS are."""
    plan = mem.plan
    return plan if plan and len(plan) >= MIN_RUNNERS else None


@one_at_a_time
def _restart():
    page = page_state()
    page.touch()
    mem = race_memory(page)
    mem.race = Race(page.pg.settings, page.pg.data, _plan(mem))


@one_at_a_time
def _on_speed():
    """A new speed counts from this very frame (the race trains before it is drawn)."""
    page = page_state()
    page.touch()
    mem = race_memory(page)
    mem.speed = st.session_state.get("w_race_speed") or mem.speed
