// plotly.py sends NumPy arrays as {dtype, bdata[, shape]} specs, which plotly.js decodes
// into new typed arrays on every update; Plotly.react then sees every data array as new
// and recomputes and redraws every trace. Here each spec is decoded once and the decoded
// array is reused while its bytes stay the same, so Plotly.react skips the traces whose
// data did not change (e.g. the data points under a new decision-map image).
const TYPES = {f8: Float64Array, f4: Float32Array, i4: Int32Array, u4: Uint32Array,
               i2: Int16Array, u2: Uint16Array, i1: Int8Array, u1: Uint8Array};
const isSpec = (v) => v && typeof v === "object" && typeof v.bdata === "string"
                      && typeof v.dtype === "string" && TYPES[v.dtype];
function decode(spec) {
  const bin = atob(spec.bdata);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const flat = new TYPES[spec.dtype](bytes.buffer);
  const shape = spec.shape ? String(spec.shape).split(",").map(Number) : [flat.length];
  // n-d arrays (heatmap z, the map's (ny, nx, 2) hover customdata) as nested rows
  const nest = (dims, offset) => {
    if (dims.length === 1) return flat.subarray(offset, offset + dims[0]);
    const stride = dims.slice(1).reduce((a, b) => a * b, 1);
    const rows = [];
    for (let i = 0; i < dims[0]; i++) rows.push(nest(dims.slice(1), offset + i * stride));
    return rows;
  };
  return shape.length === 1 ? flat : nest(shape, 0);
}
function reuseArrays(node, cache, seen, path) {
  for (const key of Object.keys(node)) {
    const v = node[key];
    const here = path + "." + key;
    if (isSpec(v)) {
      const old = cache.get(here);
      const value = old && old.bdata === v.bdata && old.shape === v.shape
        ? old.value : decode(v);
      seen.set(here, {bdata: v.bdata, shape: v.shape, value});
      node[key] = value;
    } else if (v && typeof v === "object") {
      reuseArrays(v, cache, seen, here);
    }
  }
}

// A square plot as large as its column and the window allow (data.fit): the figure's
// height is set here, from the column's width and the room between the chart's top and the
// window's bottom, so that the whole plot is in view whatever the screen.
function fitSquare(div, layout, fit) {
  const m = layout.margin || {};
  const [t, b, l, r] = [m.t ?? 80, m.b ?? 80, m.l ?? 80, m.r ?? 80];
  const width = div.clientWidth || div.parentElement.clientWidth;
  const main = div.closest('[data-testid="stMain"]');
  const top = div.getBoundingClientRect().top + (main ? main.scrollTop : window.scrollY);
  // a chart that starts low on the page (a phone) is scrolled to: it may use the window's
  // height under the sticky controls
  const from = top > window.innerHeight / 2 ? fit.sticky : top;
  const room = window.innerHeight - from - t - b - fit.gap;
  const side = Math.max(fit.min, Math.min(width - l - r, room));
  layout.height = Math.round(side + t + b);
}

// Plotly's toolbar stands vertically at the right edge, clear of the legends at the top.
function placeToolbar(layout) {
  layout.modebar = Object.assign({orientation: "v"}, layout.modebar);
  layout.margin = Object.assign({}, layout.margin);
  layout.margin.r = Math.max(layout.margin.r ?? 80, 34);
}

// Presentation mode: every text of the figure k times larger and never under min px (the
// layout's font, each axis's ticks and title, legends, annotations, colour bars), and lines
// k times thicker.
function scaleType(fig, scale) {
  const {k, min} = scale;
  const size = (font, base) => Object.assign({}, font, {
    size: Math.max(min, Math.round(((font && font.size) || base) * k))});
  const layout = fig.layout;
  layout.font = size(layout.font, 12);
  const base = layout.font.size / k;
  for (const [name, v] of Object.entries(layout)) {
    if (!/^[xy]axis\d*$/.test(name) || !v) continue;
    v.tickfont = size(v.tickfont, base);
    if (v.title) v.title = Object.assign({}, typeof v.title === "string" ? {text: v.title}
                                         : v.title, {font: size(v.title.font, base)});
  }
  if (layout.legend) {
    layout.legend.font = size(layout.legend.font, base);
    // the legend above the plot grows with its type: so does the room kept for it
    layout.margin = Object.assign({}, layout.margin);
    if (layout.margin.t) layout.margin.t = Math.round(layout.margin.t * k);
  }
  if (layout.title && typeof layout.title === "object")
    layout.title.font = size(layout.title.font, base * 1.2);
  for (const a of layout.annotations || []) a.font = size(a.font, base);
  for (const t of fig.data || []) {
    if (t.line && t.line.width) t.line = Object.assign({}, t.line, {width: t.line.width * k});
    else if (t.type === "scatter" && /lines/.test(t.mode || "lines"))
      t.line = Object.assign({}, t.line, {width: 2 * k});
    if (t.colorbar) {
      const bar = (t.colorbar = Object.assign({}, t.colorbar,
                                              {tickfont: size(t.colorbar.tickfont, base)}));
      if (bar.title) bar.title = Object.assign({}, bar.title, {font: size(bar.title.font, base)});
    }
  }
}

// A figure's one-line text summary (layout.meta.summary: the decision map's) in a visually
// hidden paragraph before the chart, for screen readers; not announced while it changes.
function describe(div, text) {
  if (!text && !div.__summary) return;
  if (!div.__summary) {
    div.__summary = document.createElement("p");
    div.__summary.className = "sr-only";
    div.before(div.__summary);
  }
  // the figure's text is escaped for Plotly (&lt;b&gt;): decoded, never run, as plain text
  div.__summary.textContent = text
    ? new DOMParser().parseFromString(text, "text/html").documentElement.textContent : "";
}

function drawFigure(div, data) {
  const fig = JSON.parse(data.figure);
  placeToolbar(fig.layout);
  if (data.scale) scaleType(fig, data.scale);
  if (data.fit) fitSquare(div, fig.layout, data.fit);
  const seen = new Map();
  reuseArrays(fig.data, div.__arrays || new Map(), seen, "");
  div.__arrays = seen;
  // likewise the template: a new (even empty) template object makes Plotly.react redo
  // the whole plot
  const template = JSON.stringify(fig.layout.template);
  if (div.__template && div.__template.json === template) {
    fig.layout.template = div.__template.value;
  } else {
    div.__template = {json: template, value: fig.layout.template};
  }
  // Draw mode: two clicks within 300 ms are two points, not Plotly's double-click (which
  // would reset the axes to the heatmap's autorange, 1 % wider, under the next click)
  const config = data.draw ? Object.assign({}, data.config, {doubleClick: false}) : data.config;
  // the summary is the page's, not Plotly's: a layout.meta that changes every frame makes
  // Plotly.react redraw the whole plot, points and all
  const meta = fig.layout.meta;
  const summary = meta && meta.summary;
  if (meta && "summary" in meta) {
    const {summary: _, ...rest} = meta;       // the rest (a diagram's nodes) stays Plotly's
    if (Object.keys(rest).length) fig.layout.meta = rest;
    else delete fig.layout.meta;
  }
  window.Plotly.react(div, fig.data, fig.layout, config).then(() => {
    describe(div, summary);
    div.dataset.frame = String(data.frame);   // lets tests and benchmarks see updates
    listenForClicks(div);
    listenForDraws(div);
    listenForUnits(div);
  });
}

// A chart that asks for clicks (data.clicks: the decision map) reports a click on a data
// point as its "click" state, {x, y, t}, in data coordinates; t makes a second click on the
// same point a new value. A click beside every point is not sent.
function listenForClicks(div) {
  if (div.__clicks) return;
  div.__clicks = true;
  div.on("plotly_click", (event) => {
    if (!div.__latest.clicks || div.__latest.draw) return;
    const point = clickedPoint(div, event);
    if (point) div.__setState("click", {x: point.x, y: point.y, t: Date.now()});
  });
}

// In draw mode (data.draw: {mode: "add" | "erase", radius: px}) a click anywhere in the plot
// area is reported as the "draw" state, {x, y, r, mode, t}: its data coordinates, the erase
// radius in data units, and the mode (a Shift- or Alt-click erases). Plotly sends its own
// copy of a click that did not drag besides the browser's: one click is taken once.
function listenForDraws(div) {
  if (div.__draws) return;
  div.__draws = true;
  div.addEventListener("click", (e) => {
    const draw = div.__latest.draw;
    const plot = div.querySelector(".nsewdrag");
    if (!draw || !plot) return;
    const box = plot.getBoundingClientRect();
    const mx = e.clientX - box.left, my = e.clientY - box.top;
    if (mx < 0 || my < 0 || mx > box.width || my > box.height) return;
    const last = div.__lastDraw;
    if (last && last.cx === e.clientX && last.cy === e.clientY && e.timeStamp - last.at < 300)
      return;
    div.__lastDraw = {cx: e.clientX, cy: e.clientY, at: e.timeStamp};
    const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
    const x = xa.p2l(mx), y = ya.p2l(my);
    const r = Math.abs(xa.p2l(mx + draw.radius) - x);
    const mode = e.shiftKey || e.altKey ? "erase" : draw.mode;
    div.__setState("draw", {x, y, r, mode, t: Date.now()});
  }, true);
}

// A chart that reports its nodes (data.units: the network diagram) sets its "unit" state,
// {layer, unit, how, t}, to the node under the mouse (a node trace has meta.layer, and
// customdata = its unit, -1 for "+N more"): a hover shows the node until the mouse leaves
// it, a click holds it until it is clicked again (or data.units.released changes: released
// on the page), and {layer: null} releases. Sent after UNIT_MS without a change,
// and only when it differs from what was last sent: a pass over the diagram, or the
// unhover and rehover of a redraw, is not a rerun per node.
const UNIT_MS = 150;
function listenForUnits(div) {
  if (div.__units) return;
  div.__units = true;
  const nodeOf = (event) => {
    const p = (event.points || []).find((p) => p.data.meta && p.data.meta.layer != null
                                                && p.customdata >= 0);
    return p ? {layer: p.data.meta.layer, unit: p.customdata} : null;
  };
  const same = (a, b) => (a && b) ? a.layer === b.layer && a.unit === b.unit : a === b;
  const send = (node, how) => {
    clearTimeout(div.__unitTimer);
    div.__unitTimer = setTimeout(() => {
      if (same(node, div.__unitSent)) return;
      div.__unitSent = node;
      div.__setState("unit", {layer: node ? node.layer : null, unit: node ? node.unit : null,
                              how, t: Date.now()});
    }, UNIT_MS);
  };
  div.on("plotly_click", (event) => {
    if (!div.__latest.units) return;
    const node = nodeOf(event);
    if (!node) return;
    div.__unitHeld = same(node, div.__unitHeld) ? null : node;
    send(div.__unitHeld, "click");
  });
  div.on("plotly_hover", (event) => {
    const node = div.__latest.units && !div.__unitHeld && nodeOf(event);
    if (node) send(node, "hover");
  });
  div.on("plotly_unhover", () => {
    if (div.__latest.units && !div.__unitHeld) send(null, "hover");
  });
}

// The point clicked: Plotly's own pick if it is a data point, or else the nearest shown point
// within CLICK_RADIUS px of the mouse. (On a paused map Plotly picks the invisible hover
// heatmap under the points, measured in Chromium, so the points are searched here.)
const CLICK_RADIUS = 10;
function clickedPoint(div, event) {
  const isPoints = (t) => t.type === "scatter" && t.hoverinfo !== "skip";
  const hit = (event.points || []).find((p) => isPoints(p.data));
  if (hit) return {x: hit.x, y: hit.y};
  const plot = div.querySelector(".nsewdrag");
  if (!plot || !event.event) return null;
  const box = plot.getBoundingClientRect();
  const mx = event.event.clientX - box.left, my = event.event.clientY - box.top;
  const xa = div._fullLayout.xaxis, ya = div._fullLayout.yaxis;
  let best = null, bestDistance = CLICK_RADIUS;
  for (const t of div._fullData) {
    if (!isPoints(t) || t.visible !== true) continue;
    for (let i = 0; i < t.x.length; i++) {
      const d = Math.hypot(xa.l2p(t.x[i]) - mx, ya.l2p(t.y[i]) - my);
      if (d <= bestDistance) { bestDistance = d; best = {x: t.x[i], y: t.y[i]}; }
    }
  }
  return best;
}

function whenPlotly(src, then) {
  if (window.Plotly) { then(); return; }
  window.__plotlyLoad ??= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = reject;
    document.head.appendChild(s);
  });
  window.__plotlyLoad.then(then);
}

// The clock of a live loop (data.pace, on one chart of the page): like run_every, it asks
// for the next frame every pace.ms, by setting this component's "tick" state (which reruns
// the fragment); unlike run_every, it holds back while earlier ticks are unanswered (each
// frame echoes the last tick its run saw as pace.answered). A page that keeps up may have
// two ticks in flight, so the server computes the next frame while this one is drawn; a page
// whose answers take over three periods (a busy server or browser) one: it is sent fewer
// frames instead of a growing backlog, and a Pause click waits for at most one frame. An
// answer lost on the way is waited for pace.patience ms.
function pace(div) {
  const p = div.__latest.pace;
  if (!p) return;
  const now = performance.now();
  if (div.__askedAt && div.__askedAt.has(p.answered)) {
    div.__roundTrip = now - div.__askedAt.get(p.answered);
    for (const t of div.__askedAt.keys()) if (t <= p.answered) div.__askedAt.delete(t);
  }
  if (div.__tickTimer) return;
  div.__tick ??= p.answered;
  div.__askedAt = new Map();
  let due = now + p.ms;
  const tick = () => {
    const p = div.__latest.pace;
    if (!p || !div.isConnected) { div.__tickTimer = null; return; }
    const now = performance.now();
    const inFlight = (div.__roundTrip ?? 0) > 3 * p.ms ? 1 : 2;
    if (div.__tick - p.answered < inFlight || now - div.__tickAt > p.patience) {
      div.__tick += 1;
      div.__tickAt = now;
      div.__askedAt.set(div.__tick, now);
      div.__setState("tick", div.__tick);
    }
    // a steady beat, as setInterval keeps: a late tick does not delay the ones after it
    due = Math.max(due + p.ms, now);
    div.__tickTimer = setTimeout(tick, due - now);
  };
  div.__tickTimer = setTimeout(tick, p.ms);
}

export default function (component) {
  const { data, parentElement } = component;
  let div = parentElement.querySelector("div.live-plotly");
  if (!div) {
    div = document.createElement("div");
    div.className = "live-plotly";
    parentElement.appendChild(div);
  }
  div.__latest = data;
  div.__setState = component.setStateValue;
  // a node released on the page (its button: data.units.released counts them): the click's
  // hold ends too
  if (data.units && div.__released !== data.units.released) {
    if (div.__released !== undefined) div.__unitHeld = div.__unitSent = null;
    div.__released = data.units.released;
  }
  // the same chart fed by another server session: the page was reconnected behind the
  // visitor's back (a stopped server): tell the new session, once
  if (data.session) {
    if (div.__session && div.__session !== data.session && div.__movedFrom !== div.__session) {
      div.__movedFrom = div.__session;
      component.setStateValue("moved", div.__session);
    }
    div.__session = data.session;
  }
  if (data.fit && !div.__onResize) {
    // the window's size decides a fitted chart's: redraw it when that changes
    // (once per animation frame however many resize events arrive while a window is dragged)
    div.__onResize = () => {
      if (!div.isConnected) { window.removeEventListener("resize", div.__onResize); return; }
      if (div.__resizePending) return;
      div.__resizePending = true;
      requestAnimationFrame(() => {
        div.__resizePending = false;
        whenPlotly(div.__latest.src, () => drawFigure(div, div.__latest));
      });
    };
    window.addEventListener("resize", div.__onResize);
  }
  pace(div);
  // A lean frame that wants its details (data.settle: the run that paused) asks for one more
  // run, once; that run comes back after this frame is drawn.
  if (data.settle != null && div.__settled !== data.settle) {
    div.__settled = data.settle;
    component.setStateValue("settle", data.settle);
  }
  // A chart scrolled out of view is drawn once, then updated only when it comes back into
  // view (with the latest figure): redrawing charts nobody sees costs the page's frames.
  if (!div.__observer && "IntersectionObserver" in window) {
    div.__visible = true;
    div.__observer = new IntersectionObserver((entries) => {
      div.__visible = entries[entries.length - 1].isIntersecting;
      if (div.__visible && div.__behind) {
        div.__behind = false;
        whenPlotly(div.__latest.src, () => drawFigure(div, div.__latest));
      }
    }, {rootMargin: "100px"});
    div.__observer.observe(div);
  }
  if (div.dataset.frame !== undefined && !div.__visible) {
    div.__behind = true;
    return;
  }
  // Drawn just before the next paint: if the page falls behind and several updates arrive
  // between two paints, only the latest is drawn.
  if (div.__drawPending) return;
  div.__drawPending = true;
  requestAnimationFrame(() => {
    div.__drawPending = false;
    whenPlotly(div.__latest.src, () => drawFigure(div, div.__latest));
  });
}
