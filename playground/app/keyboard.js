// Keyboard shortcuts for the controls row. A key clicks the page's own control (the Play
// switch, a button), so it takes exactly the path of a mouse click: the same callbacks,
// reruns and fragments. One listener per document, installed by the first mount; it reads
// the latest shortcut table (data.shortcuts) from the window at each key press.

// Where a key must not act: typing, or a focused control that uses the key itself.
const TYPING = 'textarea, select, [contenteditable=""], [contenteditable="true"], '
  + '[role="textbox"], [role="combobox"], [role="searchbox"], [role="spinbutton"], '
  + 'input:not([type="checkbox"]):not([type="radio"]):not([type="button"])'
  + ':not([type="submit"]):not([type="reset"]):not([type="range"])';
const NATIVE = 'button, a[href], input, summary, [role="button"], [role="slider"], '
  + '[role="switch"], [role="checkbox"], [role="radio"], [role="tab"], [role="option"], '
  + '[role="menuitem"], [role="listbox"], [tabindex]:not([tabindex="-1"])';

function isTyping(el) {
  return !!(el && el.closest && (el.closest(TYPING) || el.isContentEditable));
}

// Space and the arrows act on a focused control natively (press a button, move a slider),
// when it was reached by the keyboard; after a mouse click on a button (focus without
// :focus-visible) they are shortcuts again.
function usesKeyItself(el, key) {
  if (key !== " " && !key.startsWith("Arrow")) return false;
  const control = el && el.closest && el.closest(NATIVE);
  if (!control || control === document.body) return false;
  return control.matches(":focus-visible") || !control.matches("button");
}

// The control to click: the one shown. Streamlit keeps a hidden copy of a button that has
// a tooltip, and while a page run replaces the controls row its old copy (marked stale) can
// sit beside the new one for a moment.
function target(shortcut) {
  const all = shortcut.selector
    ? Array.from(document.querySelectorAll(shortcut.selector))
    // a button by its label, in the controls row
    : Array.from(document.querySelectorAll(".st-key-controls button"))
      .filter((b) => b.textContent.trim() === shortcut.label);
  const shown = (el) => el.getClientRects().length > 0
    || (el.labels && [...el.labels].some((l) => l.getClientRects().length > 0));
  const live = all.filter((el) => shown(el) && !el.closest('[data-stale="true"]'));
  return live[0] || all.find(shown) || null;
}

function onKey(e) {
  if (e.defaultPrevented || e.repeat || e.ctrlKey || e.metaKey || e.altKey) return;
  const active = document.activeElement;
  if (isTyping(e.target) || isTyping(active)) return;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const shortcut = (window.__playgroundShortcuts || []).find((s) => s.keys.includes(key));
  if (!shortcut || usesKeyItself(active, e.key)) return;
  const el = target(shortcut);
  if (!el || el.disabled) return;
  e.preventDefault();                   // Space would scroll the page, → scroll sideways
  el.click();
}

// An equation that is wider than its column scrolls sideways, and a region that scrolls
// must be reachable by the keyboard (WCAG 2.1.1). Whether one scrolls changes with the
// window, the sidebar and the type as it loads, so every equation is made focusable, at
// once when it appears (no layout is read): a Tab stop per equation.
const SCROLLERS = ".katex-display";
function focusableScrollers() {
  for (const el of document.querySelectorAll(SCROLLERS + ":not([tabindex])")) {
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "group");
    el.setAttribute("aria-label", "Equation");
  }
}

export default function (component) {
  window.__playgroundShortcuts = component.data.shortcuts;
  if (window.__playgroundKeys) return;
  window.__playgroundKeys = true;
  document.addEventListener("keydown", onKey);
  // in the mutation's own microtask, before anything else sees the page
  const check = () => focusableScrollers();
  const touches = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    return el && (el.closest(SCROLLERS) || el.querySelector(SCROLLERS));
  };
  new MutationObserver((records) => {
    if (records.some((r) => [...r.addedNodes].some(touches))) check();
  }).observe(document.body, {childList: true, subtree: true});
  check();
}
