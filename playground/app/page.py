"""The page: the sidebar's settings applied to the visitor's playground, the URL kept in
step, the banners, the controls, and the live fragment (:mod:`playground.app.live`).

One path for the settings, in every page run: the settings the page trains with and what
the controls show → :func:`~playground.state.settings.follow` → the controls set to the
result where it differs → :meth:`Playground.apply`; the "Automatic:" line and the URL are
then written from the applied settings, so a shared link reproduces the page. Nothing here
depends on which widget callback fired: a run that is interrupted (a newer change, fast
reruns) leaves the next run to decide the same from the same values. A link, a lesson, New
data and a run file set the settings the controls must show (:attr:`PageState.shown`)
instead of writing the controls, which a run interrupted before drawing them would lose.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..engine.activations import activation, fill
from ..engine.tasks import task
from ..figures.common import subscript
from ..state import lessons
from ..state.settings import to_query
from .chart import ensure_plotly_js
from .draw import draw_toggle, url_flag
from .keyboard import hint, keyboard_help
from .live import display_options, live_frame, page_inputs, play_switch
from .page_state import (
    LESSON,
    PRESENT,
    WIDGETS,
    confirm_writes,
    next_settings,
    one_at_a_time,
    page_state,
    plain,
    show_settings,
    write_control,
)
from .sidebar import epoch_line, lr_line, sidebar


@one_at_a_time
def main():
    ensure_plotly_js()
    ss = st.session_state
    page = page_state()
    pg = page.pg
    page.runs += 1
    if page.pause_request is None:
        page.pause_notice = None                # a pause's reason stays until the next run
    else:                                       # "" pauses without a notice
        page.pause_notice = page.pause_request or page.pause_notice
        write_control("playing", False, page.written, page.runs)
    page.touch()

    _style(page.present)
    features_key = WIDGETS["features"]
    if features_key in ss and not ss[features_key]:
        page.features_note = ("The network needs at least one input feature: choose "
                              "another before switching this one off.")
    exact = page.shown is not None
    settings = next_settings(page)
    show_settings(settings, page, exact=exact)
    upload, (epoch_caption, lr_caption) = sidebar(pg)
    for notice in pg.apply(settings, upload):
        st.toast(plain(notice))
    page.shown = None                        # drawn and applied
    lesson = lessons.BY_KEY.get(page.lesson)
    if lesson and pg.settings.task != lesson.settings.task:
        page.lesson = lesson = None          # the lessons are about classification
    if page.fresh_run:                       # a lesson starts from scratch, whatever ran
        page.fresh_run = False
        pg.reset()
        page.gradcheck = None
    epoch_caption.caption(epoch_line(pg))
    if pg.settings.lr_auto:
        lr_caption.caption(lr_line(pg.settings))
    wanted = to_query(pg.settings, base=lesson.settings if lesson else None)
    if page.present:
        wanted[PRESENT] = "1"
    if lesson:
        wanted[LESSON] = lesson.key
    wanted.update(url_flag(pg))
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    page.live.page_inputs = page_inputs()

    with st.container(key="header"):
        st.title("Watch a neural network learn", anchor=False)
        st.caption(f"A from-scratch NumPy network: {formula(pg.settings)}, trained by "
                   f"backpropagation. Press Play, then change the learning rate, the batch "
                   f"mode or the network and watch what happens.")
    # one fixed slot for a link's warnings, so that one appearing or going does not shift
    # the delta paths of everything below (the stage's banners are beside the map: banners)
    with st.container():
        _banners(page)
    _controls(page)
    confirm_writes(page.runs)                # after every control this run may have set
    page.pause_request = None                # the Play switch is drawn off
    st.fragment(live_frame)()     # while playing, the decision map's chart reruns it


def _banners(page):
    for warning in page.url_warnings:
        st.warning(plain(warning), icon=":material/link:")
    if page.url_warnings:
        st.button("Dismiss", key="dismiss_url", on_click=_dismiss_url_warnings)
    if page.moved:
        st.info("The server this page was on stopped, and the page reconnected to another "
                "one with a fresh session: the settings came back from the link, but the run "
                "(its weights, history and pinned runs) and any uploaded file were lost.",
                icon=":material/sync_problem:")
        st.button("Dismiss", key="dismiss_moved", on_click=_dismiss_moved)


@one_at_a_time
def _dismiss_moved():
    page_state().moved = False


@one_at_a_time
def _dismiss_url_warnings():
    page_state().url_warnings = []


def _controls(page):
    # one row of content-sized controls: it stays on one line down to an 800 px window
    row = st.container(key="controls", horizontal=True, vertical_alignment="center",
                       gap="small")
    with row:
        with st.container(width="content"):
            st.fragment(play_switch)()
        st.button("Step", on_click=_on_step,
                  help="Exactly one parameter update." + hint("Step"))
        st.button("Step epoch", on_click=_on_step_epoch,
                  help="Updates until the current epoch ends." + hint("Step epoch"))
        st.button("Reset", on_click=_on_reset,
                  help="Back to the initial weights (same weight seed); counters to zero."
                       + hint("Reset"))
        st.space("stretch")
        draw_toggle()
        display_options(page)
        keyboard_help()
        st.button("Exit presentation" if page.present else "Present",
                  icon=":material/slideshow:", on_click=_on_present, key="present",
                  help="Presentation mode for a projector: larger type and thicker lines "
                       "(collapse the sidebar with « for the widest stage; » brings the "
                       "settings back). "
                       "It is in the URL (present=1)." + hint("Present"))


@one_at_a_time
def _on_present():
    page = page_state()
    page.present = not page.present


_STYLE = Path(__file__).with_name("style.css").read_text(encoding="utf-8")
_PRESENTATION = Path(__file__).with_name("presentation.css").read_text(encoding="utf-8")


_HIDDEN = ".st-key-page_run { display: none; }"    # page_state.confirm_writes


def _style(present):
    st.html(f"<style>{_STYLE}{_PRESENTATION if present else ''}{_HIDDEN}</style>")


def formula(settings):
    """The network's equations in one line, for its activation, depth and task, e.g.
    "h₁ = max(0, xW₁ + b₁), ŷ = softmax(h₁W₂ + b₂)" (regression: "ŷ = h₁W₂ + b₂")."""
    sub = subscript
    f = activation(settings.activation).text
    layers = settings.layers
    parts = []
    for l in range(1, layers + 1):
        if 1 < l < layers:
            if l == 2:
                parts.append("…")
            continue
        given = "x" if l == 1 else f"h{sub(l - 1)}"
        parts.append(f"h{sub(l)} = " + fill(f, f"{given}W{sub(l)} + b{sub(l)}"))
    L = layers + 1
    last = f"h{sub(layers)}" if layers else "x"
    out = f"{last}W{sub(L)} + b{sub(L)}"
    # regression: one linear output unit, the predicted value itself
    parts.append(f"ŷ = softmax({out})" if task(settings.task).softmax else f"ŷ = {out}")
    return ", ".join(parts)


@one_at_a_time
def _on_step():
    page_state().pg.step(1)


@one_at_a_time
def _on_step_epoch():
    page_state().pg.step_epoch()


@one_at_a_time
def _on_reset():
    page = page_state()
    page.pg.reset()
    page.gradcheck = None
