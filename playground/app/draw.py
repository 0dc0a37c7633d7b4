"""Draw mode: paint the data on the decision map.

The *Draw* switch sits in the controls row; while it is on, a bar under the row chooses the
class and Add / Erase, and clears the plane. A click on the map is then the map's chart's
``draw`` state (chart.js), which reruns the live fragment; the frame takes it first
(:func:`take_draw`) and the edit (:mod:`playground.state.drawing`) is on the map in the same
frame. Painted points live in this session only: a link carries settings, so the URL gets a
``painted=1`` flag, and a page opened from it says that the points did not come along.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..engine.tasks import task
from ..figures import PALETTE
from ..state import drawing
from .page_state import PAINTED, one_at_a_time, page_state, plain
from .viewkit import memory
from .viewkit import touch as _touch

DRAW = "w_draw"              # the Draw switch
CLASS = "w_draw_class"       # the class a click adds
MODE = "w_draw_mode"         # "Add" or "Erase"
SEEN = "draw_seen"           # the browser time of the last draw click taken
MODES = ("Add", "Erase")


@dataclass
class DrawMemory:
    # the last choices: a segmented control comes back empty when its chosen option is
    # clicked again, and then keeps these
    class_index: int | None = None     # None: none chosen yet
    mode: str = "Add"
ERASE_PIXELS = 14            # a click erases the nearest point within this many pixels
SHARE_NOTE = ("Painted points are not in the page's link, which carries the settings only: "
              "to keep or share them, download the data as CSV (Files view) and upload it.")


def draw_mode():
    """What the map's chart is sent (None outside draw mode)."""
    if not st.session_state.get(DRAW):
        return None
    mode = "erase" if chosen_mode(page_state()) == "Erase" else "add"
    return {"mode": mode, "radius": ERASE_PIXELS}


def chosen_class(page, n_names, default=0):
    """The class (or target) index a click adds: the control's value, else the last one
    chosen (a click on the chosen option empties the control), else ``default``; always
    within ``n_names``."""
    mem = memory(page, DrawMemory)
    value = st.session_state.get(CLASS)
    if value is not None and 0 <= value < n_names:
        mem.class_index = value
    k = default if mem.class_index is None else mem.class_index
    return min(max(k, 0), n_names - 1)


def chosen_mode(page):
    """"Add" or "Erase": the control's value, else the last one chosen."""
    mem = memory(page, DrawMemory)
    value = st.session_state.get(MODE)
    if value in MODES:
        mem.mode = value
    return mem.mode


def draw_toggle():
    """The Draw switch, in the controls row."""
    st.toggle("Draw", key=DRAW, on_change=_touch,
              help="Paint your own data: click on the map to add a point of the chosen "
                   "class, or to erase one. The network keeps its weights and trains on "
                   "the edited points.")


def draw_bar(page):
    """The draw controls beside the map (in the live frame), while the Draw switch is on."""
    if not st.session_state.get(DRAW):
        return
    pg = page.pg
    regression = not task(pg.data.task).softmax        # a painted point's target is a value
    names = (tuple(f"{v:+g}".replace("-", "−").replace("+0", "0") for v in drawing.TARGETS)
             if regression else drawing.shown(pg).class_names)
    ss = st.session_state
    # a click on the chosen option empties a segmented control: keep the choice instead
    ss[CLASS] = chosen_class(page, len(names), default=len(names) - 1 if regression else 0)
    ss[MODE] = chosen_mode(page)
    if not regression:
        dots = "".join(f".st-key-{CLASS} [role=radiogroup] button:nth-of-type({k + 1})"
                       f"::before {{content: '●'; color: {PALETTE[k % len(PALETTE)]}; "
                       f"margin-right: 0.3em}}" for k in range(len(names)))
        st.html(f"<style>{dots}</style>")
    with st.container(key="draw_bar", horizontal=True, vertical_alignment="center",
                      gap="small"):
        st.segmented_control("Target" if regression else "Class", list(range(len(names))),
                             key=CLASS, format_func=lambda k: plain(names[k]),
                             on_change=_touch,
                             help="The target value of the points a click adds."
                             if regression else "The class of the points a click adds.")
        st.segmented_control("Click", MODES, key=MODE, on_change=_touch,
                             help="Add a point where you click, or erase the nearest one "
                                  "(Shift-click erases too).")
        st.button("Clear", key="draw_clear", on_click=_on_clear, icon=":material/delete:",
                  help="Start from an empty plane (the network keeps its weights).")


def take_draw(page):
    """Take a new draw click (the map's ``draw`` state), once: add or erase a point."""
    click = (st.session_state.get("regions") or {}).get("draw")
    if not isinstance(click, dict) or click.get("t") == st.session_state.get(SEEN):
        return
    st.session_state[SEEN] = click.get("t")
    if not st.session_state.get(DRAW):
        return
    pg = page.pg
    page.touch()
    if click.get("mode") == "erase":
        if not drawing.erase_point(pg, click.get("x"), click.get("y"),
                                    click.get("r", drawing.ERASE_RADIUS)):
            st.toast("No point near the click to erase.", icon=":material/ink_eraser:")
            return
    else:
        if not task(pg.data.task).softmax:
            n = len(drawing.TARGETS)
            label = drawing.TARGETS[chosen_class(page, n, default=n - 1)]
        else:
            label = chosen_class(page, len(drawing.shown(pg).class_names))
        refused = drawing.add_point(pg, click.get("x"), click.get("y"), label)
        if refused:
            st.toast(plain(refused), icon=":material/block:")
            return
    mark_painted()


def draw_status(slot, page):
    """In the live frame (a click reruns only that): while training waits for painted
    points, what it needs; in draw mode, the count of points against the cap and what a
    link cannot carry."""
    pg = page.pg
    needs = drawing.missing(pg) if pg.data.painted is not None else None
    if needs:
        slot.info(f"**Training waits for {needs}** to train on: click on the map to add "
                  f"points. The network keeps the weights it has.", icon=":material/draw:")
    if st.session_state.get(DRAW):
        n = drawing.points(pg)
        full = " (the cap: erase some to add more)" if n >= drawing.MAX_POINTS else ""
        slot.caption(f"Drawing: {n:,} of at most {drawing.MAX_POINTS:,} points{full}. "
                     f"{SHARE_NOTE}")


def url_flag(pg):
    """The URL's flag for painted data (which the link itself cannot carry)."""
    return {PAINTED: "1"} if pg.data.painted is not None else {}


def mark_painted():
    # a click reruns only the live fragment: the page run that writes the URL comes later
    if st.query_params.get(PAINTED) != "1":
        st.query_params[PAINTED] = "1"


@one_at_a_time
def _on_clear():
    page = page_state()
    page.touch()
    drawing.clear(page.pg)
    mark_painted()

