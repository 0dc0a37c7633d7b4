"""Keyboard shortcuts for the controls row, and their help.

Space plays or pauses, → or S steps, E steps an epoch, R resets, P toggles Present. A small
``st.components.v2`` component (``keyboard.js``) listens on the page and, for a key, clicks
the page's own control: a key press takes exactly the path of a mouse click (the same
callbacks and reruns), also while playing. Keys do nothing while typing in a field, and
Space and the arrows keep their own meaning on a control reached by the keyboard (they press
a focused button, move a slider).

The same component makes the page's sideways-scrolling equations focusable, so that a
keyboard can scroll them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

KEY = "keyboard_shortcuts"


@dataclass(frozen=True)
class Shortcut:
    label: str                 # the control's label (a button in the controls row)
    keys: tuple[str, ...]      # KeyboardEvent.key values, letters in lower case
    shown: str                 # the keys as the help writes them
    does: str
    selector: str | None = None  # the control, when it is not a button found by its label


SHORTCUTS = (
    Shortcut("Play", (" ",), "Space", "Play / Pause", selector=".st-key-playing input"),
    Shortcut("Step", ("ArrowRight", "s"), "→ or S", "Step one update"),
    Shortcut("Step epoch", ("e",), "E", "Step to the end of the epoch"),
    Shortcut("Reset", ("r",), "R", "Reset"),
    Shortcut("Present", ("p",), "P", "Present / exit presentation",
             selector=".st-key-present button"),
)
_BY_LABEL = {s.label: s for s in SHORTCUTS}

_JS = Path(__file__).with_name("keyboard.js").read_text(encoding="utf-8")
HELP_KEY = "keyboard_help"
# The listener has nothing to show: its element takes no room in the controls row. The
# Keyboard button shows its icon only (the row stays on one line in a 1024 px window); its
# label stays for screen readers.
_CSS = (f".st-key-{KEY} {{ display: none; }}\n"
        f".st-key-{HELP_KEY} button [data-testid=\"stMarkdownContainer\"] {{"
        " position: absolute; width: 1px; height: 1px; overflow: hidden;"
        " clip: rect(0, 0, 0, 0); white-space: nowrap; }")

_component = st.components.v2.component("playground_keyboard", js=_JS, css=_CSS,
                                        isolate_styles=False)


def hint(label: str) -> str:
    """The shortcut of the control ``label`` for its tooltip, e.g. " Shortcut: → or S."."""
    return f" Shortcut: {_BY_LABEL[label].shown}."


def help_text() -> str:
    """The shortcuts as a Markdown table (the Keyboard popover)."""
    rows = "\n".join(f"| {s.shown} | {s.does} |" for s in SHORTCUTS)
    return (f"| Key | Does |\n|---|---|\n{rows}\n\n"
            "Not while typing in a field. Tab moves between the controls; Space or Enter "
            "presses the focused one.")


def keyboard_help():
    """The Keyboard popover, and the key listener (mounted here, with the controls)."""
    with st.popover("Keyboard", icon=":material/keyboard:", key=HELP_KEY,
                    help="Keyboard shortcuts"):
        st.markdown(help_text())
    _component(key=KEY, data={"shortcuts": [
        {"label": s.label, "keys": list(s.keys), "selector": s.selector} for s in SHORTCUTS]})
