"""What the page tests share: the app's paths, a fresh session, and reading and driving the
page the way a visitor does (AppTest runs the real script, one run per interaction)."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from playground.app.viewkit import view_names

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")
UPLOADS = ROOT / "tests" / "data" / "uploads"
VIEWS = view_names()        # the view bar, from the registry


def new_session(params=None, run=True):
    """A fresh browser session of the app (``params``: the URL's query parameters)."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run() if run else at


def page(at):
    """The session's :class:`~playground.app.page_state.PageState`."""
    return at.session_state["page"]


def view_memory(at, kind):
    """A view's own memory (its dataclass, e.g. ``RaceMemory``) in the session's page
    state; a fresh one when the view has not been drawn yet."""
    return page(at).memories.get(kind) or kind()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def button(at, label):
    """The button with this label, or None when the page does not show it now."""
    return next((b for b in at.button if b.label == label), None)


def click(at, label):
    button(at, label).click().run()
    assert not at.exception, at.exception


def view(at, name):
    at.segmented_control(key="w_view").set_value(name).run()
    assert not at.exception, at.exception


def widget(at, kind, key):
    """The widget with this key, or None when the page does not show it now."""
    try:
        return getattr(at, kind)(key=key)
    except KeyError:
        return None


def set_widths(at, *widths):
    """Set the hidden layers as a visitor does: their number, then each one's width."""
    at.slider(key="w_layers").set_value(len(widths)).run()
    for i, width in enumerate(widths, 1):
        at.slider(key=f"w_width_{i}").set_value(width).run()
    assert not at.exception, at.exception


def _charts(at):
    """The data of the page's live charts (the custom components that carry a figure)."""
    data = (json.loads(el.proto.json) for el in at.get("bidi_component"))
    return [d for d in data if "figure" in d]


def chart_data(at, index=0):
    """What the page sent to its index-th live chart (figure JSON, pace, settle ...)."""
    return _charts(at)[index]


def chart_figures(at):
    """The figures of the live charts on the page, in page order."""
    return [json.loads(d["figure"]) for d in _charts(at)]


def upload_csv(at, name, data):
    if not any(w.key == "w_upload" for w in at.get("file_uploader")):
        at.selectbox(key="w_dataset").select("upload CSV").run()
    at.file_uploader(key="w_upload").set_value((name, data, "text/csv")).run()
    assert not at.exception
