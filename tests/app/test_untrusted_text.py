"""Text that comes from a visitor (CSV class names, upload file names, URL parameters, run
files) is shown only as inert text: never as HTML, never as Markdown that would render a link
or formatting, and never as a Plotly template.

Streamlit renders Markdown in st.markdown, st.caption, alerts (st.warning/error/info), toasts
and widget labels; raw HTML there is escaped unless ``unsafe_allow_html``/``st.html`` is used,
but Markdown links and emphasis are live. st.text is plain. Figures are Plotly, whose text
fields accept an HTML subset and ``%{...}`` templates.
"""


import pytest
from apptest import VIEWS, chart_figures, new_session, page, upload_csv

from playground.engine.runfiles import run_to_json

NAMES = ("<img src=x onerror=alert(1)>", "[link](http://evil)", "**bold**", "%{x}")
HTML_NAMES = ("<img src=x onerror=alert(1)>",)
# what Markdown would turn into a link or formatting if shown raw
MARKDOWN_ACTIVE = ("](http://evil)", "**bold**")


def markup_csv():
    rows = ["x1,x2,label"]
    for i in range(40):
        name = NAMES[i % len(NAMES)]
        rows.append(f"{(i % 7) / 7 - 0.5:.3f},{(i % 5) / 5 - 0.4:.3f},{name}")
    return "\n".join(rows).encode()


def rendered_texts(at):
    """(element type, field, text, allows_html) for every text the page renders (figures
    excepted: see figure_strings); st.text is plain and is left out."""
    out = []

    def walk(node):
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None or kind in ("text", "bidi_component"):
            return
        allow_html = bool(getattr(proto, "allow_html", False)) or kind == "html"
        for field in ("body", "label", "help", "value", "placeholder", "caption"):
            try:
                value = getattr(proto, field)
            except AttributeError:
                continue
            if isinstance(value, str) and value:
                out.append((kind, field, value, allow_html))

    walk(at.main)
    walk(at.sidebar)
    for toast in at.toast:
        out.append(("toast", "body", toast.value, False))
    return out


def figure_strings(at):
    """Every string inside the live charts' figures (trace names, hover templates, text,
    titles, annotations), as Plotly receives them."""
    out = []

    def collect(obj):
        if isinstance(obj, str):
            out.append(obj)
        elif isinstance(obj, dict):
            for v in obj.values():
                collect(v)
        elif isinstance(obj, list):
            for v in obj:
                collect(v)

    for figure in chart_figures(at):
        collect(figure)
    return out


def assert_inert(at, raw_strings, where):
    for kind, field, text, allow_html in rendered_texts(at):
        for raw in raw_strings:
            if raw in text:
                assert not allow_html, f"{where}: {raw!r} raw in an HTML-enabled {kind}"
                assert not any(m in raw for m in MARKDOWN_ACTIVE), \
                    f"{where}: {raw!r} shown as live Markdown in {kind}.{field}: {text!r}"


def assert_figures_escaped(at, where):
    strings = figure_strings(at)
    joined = "\n".join(strings)
    for raw in ("<img", "onerror=alert(1)>"):
        assert not any(raw in s for s in strings), f"{where}: {raw!r} reaches a figure raw"
    # "%{x}" is also the app's own placeholder ("out %{x}"), so look where a name would be:
    # a trace name/label, the start of a point's hover, or the decision map's "k = name" key
    for s in strings:
        assert not s.startswith("%{x}") and "= %{x}" not in s and "%{x} (test)" not in s, \
            f"{where}: a class name reaches a Plotly template unescaped: {s[:80]!r}"
    return joined



@pytest.fixture(scope="module")
def uploaded():
    at = new_session()
    upload_csv(at, "<b>x</b>.csv", markup_csv())
    assert not at.error, [e.value for e in at.error]
    assert set(page(at).pg.data.class_names) == set(NAMES)
    next(b for b in at.button if b.label == "Step").click().run()
    return at


@pytest.mark.parametrize("view", VIEWS)
def test_class_names_and_file_name_are_inert_in_every_view(uploaded, view):
    at = uploaded
    at.segmented_control(key="w_view").set_value(view).run()
    if view == "Compare":
        next(b for b in at.button if b.label == "Pin this run").click().run()
    if view == "Backprop":              # a traced point names its class and the predicted one
        X = page(at).pg.data.X_train
        at.session_state["regions"] = {"click": {"x": X[0, 0], "y": X[0, 1], "t": "names"}}
        at.run()
        assert any(m.value.startswith("**Point 1**") for m in at.markdown)
    assert not at.exception
    assert_inert(at, NAMES + ("<b>x</b>",), view)
    joined = assert_figures_escaped(at, view)
    # the decision map (always on the page) names every class, escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert "&#37;{x}" in joined
    assert "[link](http://evil)" in joined          # Plotly does not render Markdown
    assert "**bold**" in joined
    if view == "Network":
        assert joined.count("&lt;img src=x") >= 2     # legend and output-node label


def test_run_file_class_names_are_inert():
    """Class names can also arrive in an exported run file's extra data."""
    at = new_session()
    next(b for b in at.button if b.label == "Step").click().run()
    pg = page(at).pg
    extra = pg.export_extra()
    extra["class_names"] = list(NAMES[:3])
    data = run_to_json(pg.trainer, extra).encode()
    at.segmented_control(key="w_view").set_value("Files").run()
    at.file_uploader(key="w_runfile").set_value(("run.json", data, "application/json")).run()
    assert not at.exception
    assert page(at).pg.data.class_names == NAMES[:3]
    for view in ("Network", "Gradients"):
        at.segmented_control(key="w_view").set_value(view).run()
        assert_inert(at, NAMES, view)
        assert_figures_escaped(at, view)


def test_html_in_the_url_is_shown_as_text():
    at = new_session(run=False)
    at.query_params["data"] = "<script>alert(1)</script>"
    at.query_params["<img src=x onerror=alert(1)>"] = "1"
    at.run()
    assert not at.exception
    bodies = [w.value for w in at.warning]
    # echoed as typed, with Markdown escaped, in a non-HTML alert
    assert any(r"\<script\>" in b for b in bodies)
    for kind, _, text, allow_html in rendered_texts(at):
        if "<script>" in text or "<img" in text:
            assert not allow_html, kind
    assert page(at).pg.settings.dataset == "spiral"


# -- bugs: user text echoed into Markdown ----------------------------------------------------
LINK = "[click here](http://evil)"


def live_markdown(at, needle="](http://evil)"):
    """Markdown-rendered texts that contain a raw, clickable link."""
    return [(kind, text) for kind, _, text, _ in rendered_texts(at) if needle in text]


@pytest.mark.parametrize("params", [{LINK: "1"}, {"act": LINK}, {"data": "**urgent** " + LINK}])
def test_url_markdown_is_not_rendered_in_warnings(params):
    at = new_session(run=False)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert at.warning, "the tampered URL should warn"
    assert not live_markdown(at)
    assert not any("**urgent**" in w.value for w in at.warning)


@pytest.mark.parametrize("name, data", [
    (LINK + ".csv", b"x1,x2,label\nfoo,1,a\n"),
    ("data.csv", b"x1,x2,label\n" + LINK.encode() + b",1,a\n"),
])
def test_upload_error_does_not_render_markdown(name, data):
    at = new_session()
    upload_csv(at, name, data)
    assert at.error
    assert not live_markdown(at)


def test_upload_toast_does_not_render_markdown():
    at = new_session()
    upload_csv(at, LINK + ".csv", markup_csv())
    assert any("New data" in t.value for t in at.toast)
    assert not live_markdown(at)


@pytest.mark.parametrize("valid", [False, True])
def test_run_file_name_does_not_render_markdown(valid):
    at = new_session()
    pg = page(at).pg
    data = run_to_json(pg.trainer, pg.export_extra()).encode() if valid else b"{broken"
    at.segmented_control(key="w_view").set_value("Files").run()
    at.file_uploader(key="w_runfile").set_value((LINK + ".json", data,
                                                 "application/json")).run()
    assert not at.exception
    assert at.error or at.info
    assert not live_markdown(at)


def test_divergence_message_from_a_run_file_is_plain_text():
    import json as _json

    at = new_session()
    pg = page(at).pg
    meta = _json.loads(run_to_json(pg.trainer, pg.export_extra()))
    meta["counters"]["diverged"] = True
    meta["counters"]["divergence_message"] = "Boom " + LINK
    at.segmented_control(key="w_view").set_value("Files").run()
    at.file_uploader(key="w_runfile").set_value(("run.json", _json.dumps(meta).encode(),
                                                 "application/json")).run()
    assert not at.exception
    assert any("Boom" in w.value for w in at.warning)
    assert not live_markdown(at)
