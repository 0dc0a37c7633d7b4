"""The view registry: the view bar shows the registered views in their order, every one of
them draws, and what a view remembers sits in its own typed memory, not on the page state."""

from dataclasses import fields, is_dataclass

from apptest import VIEWS, click, new_session, page, view

from playground.app.page_state import PageState
from playground.app.viewkit import view_names


def test_the_view_bar_is_the_registry_and_every_view_draws_with_its_own_memory():
    at = new_session()
    assert tuple(at.segmented_control(key="w_view").options) == view_names() == VIEWS
    assert VIEWS[0] == "Network" and len(set(VIEWS)) == len(VIEWS)
    click(at, "Step")
    for name in VIEWS:
        view(at, name)
    memories = page(at).memories
    assert memories and all(isinstance(k, type) and is_dataclass(v) and isinstance(v, k)
                            for k, v in memories.items())
    assert {"RaceMemory", "LandscapeMemory"} <= {k.__name__ for k in memories}


def test_the_page_state_keeps_no_single_views_memory():
    names = {f.name for f in fields(PageState)}
    assert not names & {"race", "race_plan", "landscape", "traced", "unit_focus", "draw_class",
                        "view_charts"}
