"""axe-core, the accessibility engine behind the browsers' devtools and Lighthouse, for the
browser tests: fetched from the npm registry at test time (``npm pack``), never kept in the
repository, and cached under ``~/.cache/nn-playground/`` (or ``AXE_CORE_JS``: a path to an
``axe.min.js``)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"        # pinned: a new release may add rules
# the registry's integrity of that tarball (npm checks it too; this also pins the content)
AXE_INTEGRITY = ("sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNN"
                 "tuFooJpZe37OgudVGtQ==")
# WCAG 2.0, 2.1 and 2.2, levels A and AA
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING = ("serious", "critical")
NO_AXE = (f"axe-core {AXE_VERSION} could not be fetched: install npm (apt-get install -y "
          f"npm) with access to the npm registry, or set AXE_CORE_JS to an axe.min.js")


class AxeUnavailable(RuntimeError):
    pass


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nn-playground" / f"axe-core-{AXE_VERSION}"


def axe_source() -> str:
    """The text of axe.min.js: ``AXE_CORE_JS``, the cache, or ``npm pack`` into the cache."""
    given = os.environ.get("AXE_CORE_JS")
    if given:
        return Path(given).read_text(encoding="utf-8")
    cached = cache_dir() / "axe.min.js"
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        raise AxeUnavailable(NO_AXE + " (npm not found)")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            done = subprocess.run([npm, "pack", f"axe-core@{AXE_VERSION}", "--json"],
                                  cwd=tmp, capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired as exc:
            raise AxeUnavailable(NO_AXE + " (npm pack timed out)") from exc
        if done.returncode != 0:
            raise AxeUnavailable(f"{NO_AXE}\nnpm pack: {done.stderr.strip()[-500:]}")
        tarball = Path(tmp) / json.loads(done.stdout)[0]["filename"]
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if f"sha512-{digest}" != AXE_INTEGRITY:
            raise AxeUnavailable(f"{tarball.name}: not the pinned axe-core {AXE_VERSION}")
        with tarfile.open(tarball) as tar:
            source = tar.extractfile("package/axe.min.js").read().decode("utf-8")
    cached.parent.mkdir(parents=True, exist_ok=True)
    part = cached.with_suffix(f".{os.getpid()}.part")
    part.write_text(source, encoding="utf-8")
    os.replace(part, cached)             # atomically: parallel runs may fetch it at once
    return source


# axe.run on the whole document with the WCAG A/AA rules; each violation with its impact
# and the first few nodes (selector and axe's own summary)
_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.length,
    where: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — "
                                        + (n.failureSummary || "").replace(/\\s+/g, " "))}));
}"""


def run_axe(page, source: str) -> list[dict]:
    """All WCAG 2.2 A/AA violations on the page, as axe reports them."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    return page.evaluate(_RUN, list(WCAG_TAGS))


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {v['nodes']} nodes): {v['help']}")
        lines += [f"    {w[:300]}" for w in v["where"]]
    return "\n".join(lines)
