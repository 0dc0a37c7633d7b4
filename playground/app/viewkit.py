"""What the views share: the registry that the view bar, the dispatch and the tests read;
each view's own memory; the segmented control that keeps its choice; the frame-throttled
chart; the callback that counts as an interaction.

A view is one module that registers itself::

    @dataclass
    class LandscapeMemory:          # what the view remembers between runs, typed
        kind: str = "random"

    @register("Landscape", position=8)
    def show_landscape(page):
        mem = memory(page, LandscapeMemory)
        ...

``position`` orders the view bar. The memory lives in the page's state under its class,
made on first use, so :class:`~playground.app.page_state.PageState` keeps only what the
page shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st

from .chart import live_chart_json
from .page_state import one_at_a_time, page_state

T = TypeVar("T")


@dataclass(frozen=True)
class View:
    name: str                   # its segment in the view bar (and the w_view value)
    draw: Callable              # draw(page) into the current container
    position: int               # its place in the view bar


_VIEWS: dict[str, View] = {}


def register(name, position):
    """Decorator: ``draw(page)`` is the view called ``name``, at ``position`` in the bar."""
    def add(draw):
        _VIEWS[name] = View(name, draw, position)
        return draw
    return add


def view_names():
    """The views' names in the bar's order."""
    from . import views  # noqa: F401  (the views register themselves on import)
    return tuple(v.name for v in sorted(_VIEWS.values(), key=lambda v: v.position))


def show_view(name, page):
    """Draw the view called ``name``."""
    view_names()
    _VIEWS[name].draw(page)


def memory(page, kind: type[T]) -> T:
    """The page's instance of ``kind``, a view's (or a control's) memory dataclass, made on
    first use."""
    found = page.memories.get(kind)
    if found is None:
        found = page.memories[kind] = kind()
    return found


@one_at_a_time
def touch():
    """A control's on_change: the visitor is here (the idle pause counts from now)."""
    page_state().touch()


def sticky_segmented_control(label, options, key, last, container=st, **kwargs):
    """A segmented control that keeps ``last`` (the previous choice) when it comes back
    empty: a click on the chosen segment empties it, and the frontend has been seen to drop
    its state while playing. Returns the choice."""
    ss = st.session_state
    if ss.get(key) is None:
        ss[key] = last
    chosen = container.segmented_control(label, options, key=key, **kwargs)
    return last if chosen is None else chosen


@dataclass
class Cached:
    """A throttled result and what it shows."""
    value: object
    run: object                 # the run (or race) it was made for
    update: int                 # the update it shows
    detail: object              # the selection it shows


def throttled(page, key, run, update, detail, every, build):
    """``build()``'s result, kept under ``key``: rebuilt when the run moved on, but in lean
    frames (playing, and the frame that pauses) only every ``every``-th one; another run
    or another selection (``detail``) is built at once. Returns the :class:`Cached` entry."""
    entry = page.cache.get(key)
    if entry is not None and (entry.run, entry.update, entry.detail) == (run, update, detail):
        return entry
    same = entry is not None and entry.run == run and entry.detail == detail
    if same and page.live.lean and page.live.frame % every:
        return entry
    entry = page.cache[key] = Cached(build(), run, update, detail)
    return entry


def throttled_chart(page, key, run, update, detail, every, build, filename, height=420,
                    **chart):
    """A view's chart (``build()`` returns its figure) through :func:`throttled`: between
    rebuilds the last figure is re-sent unchanged (cheap for the server, a no-op for the
    browser)."""
    def figure():
        fig = build()
        return fig.to_json(), int(fig.layout.height or height)
    entry = throttled(page, key, run, update, detail, every, figure)
    figure_json, shown_height = entry.value
    live_chart_json(figure_json, shown_height, key, entry.update, filename, **chart)
