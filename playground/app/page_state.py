"""The page's per-visitor state: one :class:`PageState` under one session key.

Streamlit keeps widget values under their own keys (``w_<setting>``, ``playing``, ``w_view``
...); everything else the page remembers between runs is a named field here. Nothing is
shared between sessions: each browser session gets its own object on its first run.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

import streamlit as st

from ..state import lessons
from ..state.playground import Playground
from ..state.settings import DEFAULTS, LIMITS, Settings, from_query

KEY = "page"
PRESENT = "present"          # URL parameter of the presentation mode (not a setting)
LESSON = "lesson"            # URL parameter of the open lesson
PAINTED = "painted"          # URL flag: the page had painted points, which a link cannot carry
# Settings field -> widget key. Widgets get their values from session state only. The
# hidden layers' widths are one field but several widgets: their number and one width each.
WIDGETS = {name: f"w_{name}" for name in Settings.__dataclass_fields__ if name != "widths"}
LAYERS_KEY = WIDGETS["layers"] = "w_layers"
WIDTH_KEYS = tuple(f"w_width_{i}" for i in range(1, LIMITS["layers"][1] + 1))
WIDGETS.update({key[2:]: key for key in WIDTH_KEYS})
IDLE_SECONDS = 600           # a session playing untouched this long pauses itself


@dataclass
class LiveState:
    """The live loop's memory between frames (see :mod:`playground.app.live`)."""
    was_playing: bool = False  # whether the previous frame was a playing one
    lean: bool = False         # this frame is drawn lean (playing, or the one that pauses)
    frame: int = 0             # frames drawn so far
    page_inputs: tuple = ()    # what the last whole-page run read from the controls
    stall: object = None       # the last guards.stall() reading (a Stall or None)


@dataclass
class PageState:
    pg: Playground
    url_warnings: list = field(default_factory=list)
    lesson: str | None = None            # key of the open lesson
    last_interaction: float = field(default_factory=time.monotonic)
    idle_seconds: float = IDLE_SECONDS
    pause_notice: str | None = None      # shown once, in the next whole-page run
    pause_request: str | None = None     # a frame asks the next run to pause, with this notice
    start_loop: bool = False             # Play was pressed: the page reruns to start the loop
    fresh_run: bool = False              # a lesson was opened: its run starts from scratch
    upload_seen: tuple | None = None     # (file id, size) of the CSV already read
    upload_error: str | None = None
    runfile_error: str | None = None
    features_note: str | None = None     # why the last input feature stayed on (once)
    present: bool = False                # presentation mode: no sidebar, larger type
    view: str = "Gradients"
    x_axis: str = "step"                 # the curves' clock (figures.X_AXES)
    view_charts: dict = field(default_factory=dict)   # key -> cached view chart
    gradcheck: tuple | None = None       # (update, {parameter: error})
    # the Backprop view's point: its index in the training set, and where the click was (a
    # new data set, or a click beside every training point, leaves no index)
    traced: int | None = None
    traced_at: tuple | None = None
    click_seen: object = None            # the map's last click taken (its browser time)
    race: object = None                  # the Race view's race (state.race.Race)
    race_plan: tuple | None = None       # its runners as set (RunnerPlan), for the next start
    race_x: str = "seconds"              # the race's clock (figures.X_AXES)
    race_speed: int = 10                 # the race's updates per runner per frame
    landscape: tuple | None = None       # the Landscape view's last slice and its figure
    landscape_kind: str = "random"       # its directions (engine.landscape.DIRECTIONS)
    # the Network view's node shown large on the main map, (layer, unit), and the diagram's
    # last report taken (its browser time): see node_focus
    unit_focus: tuple | None = None
    unit_seen: object = None
    unit_releases: int = 0               # releases by the page (its button), told to chart.js
    # draw mode's last choices: a segmented control comes back empty when its chosen option
    # is clicked again, and then keeps these
    draw_class: int | None = None      # None: none chosen yet
    draw_mode: str = "Add"
    live: LiveState = field(default_factory=LiveState)
    # this session's name for the page's charts: a page that finds another one behind the
    # same chart was reconnected to a new session (its server stopped), see live.py
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    moved: bool | None = None            # True: say so; False: said (or dismissed)

    def touch(self):
        self.last_interaction = time.monotonic()


def page_state():
    """This session's :class:`PageState`; on the session's first run it is made from the
    URL (settings, clamped once, with a warning per fixed value) and the widgets are set."""
    ss = st.session_state
    page = ss.get(KEY)
    if page is None:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        present = params.pop(PRESENT, None)
        asked = (params.pop(LESSON, None) or [None])[-1]
        painted = params.pop(PAINTED, None)
        lesson = lessons.BY_KEY.get(asked)
        # a lesson's link: its settings, with whatever else the link names on top
        settings, warnings = from_query(params, base=lesson.settings if lesson else None)
        if asked is not None and lesson is None:
            warnings.append(f"There is no lesson '{str(asked)[:40]}'; the link was opened "
                            f"without one.")
        elif lesson is not None and settings.task != lesson.settings.task:
            # its text would describe another problem than the one shown
            warnings.append(f"The lesson '{lesson.title}' is about {lesson.settings.task}; "
                            f"the link was opened without it.")
            lesson = None
        if painted:
            warnings.append("This link comes from a page with painted data: a link carries "
                            "the settings only, so the painted points are not here. Shown: "
                            "the data set the settings name.")
        page = ss[KEY] = PageState(pg=Playground(settings), url_warnings=warnings,
                                   present=bool(present) and present[-1] in ("1", "true"),
                                   lesson=lesson.key if lesson else None)
        write_widgets(settings)
    return page


def write_widgets(settings):
    """Put settings into the widgets' session state (before the widgets are created: in a
    callback, or before the sidebar is drawn)."""
    ss = st.session_state
    for name, key in WIDGETS.items():
        if name in Settings.__dataclass_fields__:
            value = getattr(settings, name)
            ss[key] = list(value) if name == "features" else value   # the pills' list
    widths = settings.widths
    ss[LAYERS_KEY] = len(widths)
    for i, key in enumerate(WIDTH_KEYS):
        if i < len(widths):
            ss[key] = widths[i]
        elif key not in ss:      # an unused layer's slider, for when a layer is added:
            ss[key] = widths[-1] if widths else DEFAULTS.widths[0]   # the last width


def settings_from_widgets():
    """The settings the widgets show (the playground clamps them when it applies them)."""
    ss = st.session_state
    values = {name: ss[key] for name, key in WIDGETS.items()
              if key in ss and name in Settings.__dataclass_fields__}
    if LAYERS_KEY in ss:
        values["widths"] = tuple(ss.get(key, DEFAULTS.widths[0])
                                 for key in WIDTH_KEYS[:ss[LAYERS_KEY]])
    return Settings(**values)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~$:")


def plain(text):
    """Text from a visitor (file names, CSV fields, URL values) made safe for Streamlit's
    Markdown elements (st.error, st.warning, st.toast ...): every Markdown special character
    is backslash-escaped, so a "[link](http://evil)" shows as typed and is not clickable."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))
