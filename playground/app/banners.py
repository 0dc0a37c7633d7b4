"""The banners beside the map: the open lesson, a divergence, a pause's reason, a stall, a
capped speed. They sit at the top of the column beside the map, never above it: a banner
that comes or goes moves the view and the curves, not the map a student is pointing at."""

from __future__ import annotations

import streamlit as st

from ..state import lessons
from ..state.guards import stall
from ..state.playground import FRAME_BUDGET
from .page_state import one_at_a_time, page_state, plain


def stage_banners(page, playing):
    """Draw the banners that apply, in a fixed order (each keeps its place as others go)."""
    pg = page.pg
    lesson = lessons.BY_KEY.get(page.lesson)
    if lesson:
        st.info(f"**{lesson.title}** — {lesson.text}", icon=":material/school:")
        st.button("Close lesson", key="close_lesson", on_click=_close_lesson)
    if pg.trainer.diverged:
        _divergence(pg.trainer)
    if page.pause_notice:               # until the next page run (see page.main)
        st.info(page.pause_notice, icon=":material/pause_circle:")
    _stall(page)
    if playing and pg.capped:
        fit, asked = pg.capped
        st.caption(f"Speed capped: {fit} of the {asked} updates per frame fit in a frame's "
                   f"{FRAME_BUDGET:g} s of training (a large network on many points).")


def _stall(page):
    pg, live = page.pg, page.live
    # every frame that trained: a forward pass over the training set (cached per update)
    checked = (pg.run_id, pg.trainer.updates, pg.settings)
    if live.stall_checked != checked:
        same_run = live.stall_checked[:1] == checked[:1]
        live.stall = stall(pg, held=same_run and live.stall is not None)
        live.stall_checked = checked
    if live.stall is not None:
        st.warning(f"**Training has stalled.** {live.stall.what} {live.stall.cause}",
                   icon=":material/hourglass_disabled:")


def _divergence(tr):
    """The divergence banner: what happened, and the ways on (continue from the last finite
    weights once the settings have changed, or Reset)."""
    was = tr.diverged_with
    now = tr.divergence_settings()
    changed = was is None or was != now
    if changed:
        after = (f" The settings have changed since (learning rate now {tr.lr:g}): continue "
                 f"from the last finite weights, or press Reset.")
    else:
        after = (" Choose a smaller learning rate to continue from the last finite weights, "
                 "or press Reset.")
    # plain(): an imported run file carries its own (untrusted) divergence message
    st.warning(plain(tr.divergence_message + after), icon=":material/warning:")
    if changed:
        st.button("Continue from the last finite weights", key="resume", on_click=_on_resume,
                  icon=":material/play_arrow:")


@one_at_a_time
def _on_resume():
    page_state().pg.resume()


@one_at_a_time
def _close_lesson():
    page_state().lesson = None
