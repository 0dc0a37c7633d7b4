"""The page's per-visitor state: one :class:`PageState` under one session key.

Streamlit keeps widget values under their own keys (``w_<setting>``, ``playing``, ``w_view``
...); everything else the page remembers between runs is a named field here. Nothing is
shared between sessions: each browser session gets its own object on its first run.
"""

from __future__ import annotations

import functools
import secrets
import threading
import time
from dataclasses import dataclass, field

import streamlit as st

from ..engine.datasets import CLASS_RANGE
from ..state import lessons
from ..state.playground import Playground
from ..state.settings import LIMITS, Settings, clamp, follow, from_query

KEY = "page"
LOCK = "page_lock"
SEEN = "w_page_run"          # the hidden control that tells a page run's writes arrived
PRESENT = "present"          # URL parameter of the presentation mode (not a setting)
LESSON = "lesson"            # URL parameter of the open lesson
PAINTED = "painted"          # URL flag: the page had painted points, which a link cannot carry
# Settings field -> widget key. Widgets get their values from session state only. The
# hidden layers' widths are one field but several widgets: their number and one width each.
WIDGETS = {name: f"w_{name}" for name in Settings.__dataclass_fields__ if name != "widths"}
LAYERS_KEY = WIDGETS["layers"] = "w_layers"
WIDTH_KEYS = tuple(f"w_width_{i}" for i in range(1, LIMITS["layers"][1] + 1))
WIDGETS.update({key[2:]: key for key in WIDTH_KEYS})
DEFAULT_WIDTH = Settings().widths[0]
IDLE_SECONDS = 600           # a session playing untouched this long pauses itself


@dataclass
class LiveState:
    """The live loop's memory between frames (see :mod:`playground.app.live`)."""
    was_playing: bool = False  # whether the previous frame was a playing one
    lean: bool = False         # this frame is drawn lean (playing, or the one that pauses)
    frame: int = 0             # frames drawn so far
    page_inputs: tuple = ()    # what the last whole-page run read from the controls
    stall: object = None       # the last guards.stall() reading (a Stall or None)
    stall_checked: tuple = ()  # the run, update and settings it was read at


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
    # settings the controls must show as they are (a link, a lesson, New data, a run file),
    # until a page run has drawn them: see show_settings
    shown: Settings | None = None
    kept: dict = field(default_factory=dict)   # hidden controls' last values (show_settings)
    written: dict = field(default_factory=dict)  # unconfirmed writes to controls (reported)
    runs: int = 0                        # page runs so far (see confirm_writes)
    upload_seen: tuple | None = None     # (file id, size) of the CSV already read
    upload_error: str | None = None
    runfile_error: str | None = None
    features_note: str | None = None     # why the last input feature stayed on (once)
    present: bool = False                # presentation mode: no sidebar, larger type
    view: str = "Network"                # the view shown beside the map: the one TF
                                         # Playground's users know, first
    x_axis: str = "step"                 # the curves' clock (figures.X_AXES)
    gradcheck: tuple | None = None       # (update, {parameter: error})
    # each view's (and control's) own memory, by its dataclass (viewkit.memory), and the
    # frame-throttled charts by key (viewkit.throttled)
    memories: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)
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
        page.shown = page.pg.settings
    return page


def session_lock():
    """This session's lock: one script run (or callback) at a time works on its state.

    With ``runner.fastReruns`` on (Streamlit Community Cloud forces it), a widget change
    starts a new script thread at once while the interrupted run goes on to its next
    ``st.*`` call: a live frame's training, or a page run's writes, would otherwise overlap
    the new run's callbacks and settings."""
    ss = st.session_state
    lock = ss.get(LOCK)
    if lock is None:
        lock = ss[LOCK] = threading.RLock()
    return lock


def one_at_a_time(fn):
    """Run ``fn`` (a page run, a fragment or a widget callback) under :func:`session_lock`."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with session_lock():
            return fn(*args, **kwargs)
    return run


def reported(key, written):
    """A control's value as the visitor set it. The browser sends every control's value with
    each request, also a request sent before the page's last write to a control had reached
    it (a live frame's tick, a second key press): such a request still carries the value
    from before, which must not undo the write. Each page run ends by writing its number to
    a hidden control (:data:`SEEN`, see :func:`confirm_writes`), so a request tells which
    page run's writes the browser had when it was sent. ``written`` maps a key to
    ``(value, page run)`` of the page's writes not yet seen by the browser."""
    value = st.session_state.get(key)
    if key in written:
        after, run = written[key]
        if (st.session_state.get(SEEN) or 0) < run:
            return after
        del written[key]
    return value


def write_control(key, value, written, run):
    """Set a control's value in page run ``run`` (before the control is drawn), and keep
    the write until the browser has seen it (see :func:`reported`)."""
    ss = st.session_state
    if key in ss and ss[key] == value:
        return
    written[key] = (value, run)
    ss[key] = value


def confirm_writes(run):
    """The last control of a page run (hidden): its value, this run's number, reaches the
    browser after every control drawn before it, and comes back with every request."""
    st.session_state[SEEN] = run
    with st.container(key="page_run"):
        st.number_input("Page run", key=SEEN, label_visibility="collapsed", disabled=True)


def chosen_settings(applied, written):
    """What the controls show, as :func:`~playground.state.settings.follow` reads it: field
    -> value for every control Streamlit holds a value of (a control not drawn in the last
    run, e.g. the batch size in full-batch mode, is left out and keeps its applied value)."""
    ss = st.session_state
    chosen = {name: reported(key, written) for name, key in WIDGETS.items()
              if key in ss and name in Settings.__dataclass_fields__}
    if "features" in chosen:
        chosen["features"] = tuple(chosen["features"] or ())
    if LAYERS_KEY in ss:
        layers = chosen.pop("layers", None)
        layers = reported(LAYERS_KEY, written) if layers is None else layers
        old = applied.widths
        chosen["widths"] = tuple(reported(key, written) if key in ss else
                                 old[i] if i < len(old) else (old[-1] if old else
                                                              DEFAULT_WIDTH)
                                 for i, key in enumerate(WIDTH_KEYS[:layers]))
    return chosen


def next_settings(page):
    """The settings this page run trains with: those the page must show (:attr:`PageState.
    shown`), else the applied ones followed by what the controls show."""
    if page.shown is not None:
        return clamp(page.shown)[0]
    return follow(page.pg.settings, chosen_settings(page.pg.settings, page.written))


def show_settings(settings, page, exact=False):
    """Make the controls show ``settings``: each control whose value differs is set (before
    the controls are drawn in this run). Only differing values are written: a write is sent
    to the browser with the control, and a value the visitor moved is never written over
    with the same number. A control the sidebar does not draw in this run gets its value
    written all the same: Streamlit forgets a widget's value in a run that does not draw it
    (the batch size in full-batch mode, the classes of a two-class dataset). What it holds
    then is the visitor's last choice, kept in ``kept`` (name -> value) until the control
    is drawn again, unless ``exact`` (a link, a lesson) sets it too."""
    ss = st.session_state
    kept, written = page.kept, page.written
    lo, hi = CLASS_RANGE.get(settings.dataset, (2, 2))
    hidden = {"batch_size"} if settings.batch_mode != "mini-batch" else set()
    if hi == lo:
        hidden.add("classes")
    values = {name: getattr(settings, name) for name in WIDGETS
              if name in Settings.__dataclass_fields__}
    values["features"] = list(settings.features)          # the pills' list
    values["layers"] = len(settings.widths)
    for key, width in zip(WIDTH_KEYS, settings.widths):
        values[key[2:]] = width
    for name, value in values.items():
        key = WIDGETS[name]
        if name in hidden:
            if exact or name not in kept:
                kept[name] = value if exact else ss.get(key, value)
            ss[key] = kept[name]
            continue
        kept.pop(name, None)
        write_control(key, value, written, page.runs)
    # a layer added later starts at the last layer's width
    last = settings.widths[-1] if settings.widths else DEFAULT_WIDTH
    for key in WIDTH_KEYS[len(settings.widths):]:
        ss[key] = ss.get(key, last)


_MARKDOWN_SPECIALS = set("\\`*_{}[]()<>#+-.!|~$:")


def plain(text):
    """Text from a visitor (file names, CSV fields, URL values) made safe for Streamlit's
    Markdown elements (st.error, st.warning, st.toast ...): every Markdown special character
    is backslash-escaped, so a "[link](http://evil)" shows as typed and is not clickable."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))
