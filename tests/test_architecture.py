"""The package's layers: engine → figures / state → app. A layer imports only layers below
it, and only the app imports Streamlit (the figures alone import Plotly)."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "playground"
# layer -> the playground layers it may import
ALLOWED = {
    "engine": {"engine"},
    "figures": {"engine", "figures"},
    "state": {"engine", "state"},
    "app": {"engine", "figures", "state", "app"},
}


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py"))


def _layer(path):
    rel = path.relative_to(PACKAGE).parts
    return rel[0] if len(rel) > 1 else None


def _playground_imports(path):
    """The playground layers a module imports (absolute or relative)."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    out = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
                names = [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
            else:
                names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "playground" and len(parts) > 1:
                out.add(parts[1])
    return out


@pytest.mark.parametrize("path", [p for p in _modules() if _layer(p)],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_layer_imports_a_layer_above_it(path):
    layer = _layer(path)
    above = _playground_imports(path) - ALLOWED[layer]
    assert not above, f"{path.name} ({layer}) imports {sorted(above)}"


def _package_modules(layer):
    """Every module of a layer, found by walking its folder, as dotted names."""
    return ", ".join(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
                     .removesuffix(".__init__")
                     for p in sorted((PACKAGE / layer).rglob("*.py")))


@pytest.mark.parametrize("modules, banned", [
    (_package_modules("engine"), ("streamlit", "plotly")),
    ("playground, playground.__main__", ("streamlit", "plotly")),
    (_package_modules("figures"), ("streamlit",)),
    (_package_modules("state"), ("streamlit", "plotly")),
], ids=["engine", "entry points", "figures", "state"])
def test_layers_import_no_ui_library_they_should_not(modules, banned):
    code = (f"import sys, {modules}; "
            f"bad = [m for m in sys.modules if m.split('.')[0] in {banned!r}]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_app_leaves_the_process_alone():
    """Process-wide setup (BLAS threads, the switch interval) is the entry point's job."""
    code = ("import sys; before = sys.getswitchinterval(); import playground.app; "
            "assert sys.getswitchinterval() == before")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_module_imports_itself_back_through_a_circle():
    """The modules' import graph inside the package has no cycle."""
    graph = {}
    for path in _modules():
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        graph[name.removesuffix(".__init__")] = _module_imports(path)
    seen, on_path = set(), []

    def visit(node):
        if node in on_path:
            cycle = on_path[on_path.index(node):] + [node]
            raise AssertionError("import cycle: " + " -> ".join(cycle))
        if node in seen or node not in graph:
            return
        on_path.append(node)
        for dep in graph[node]:
            visit(dep)
        on_path.pop()
        seen.add(node)

    for node in graph:
        visit(node)


def _module_imports(path):
    """The package's modules a module imports at its top level (not inside functions: a
    deferred import is how a module may reach back without a cycle at import time)."""
    tree = ast.parse(path.read_text())
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    if path.name == "__init__.py":
        package = path.relative_to(PACKAGE.parent).parent.parts
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("playground")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            if not mod.startswith("playground"):
                continue
            for a in node.names:                   # "from . import x" may name a module
                candidate = f"{mod}.{a.name}"
                out.add(candidate if _is_module(candidate) else mod)
    return out


def _is_module(dotted):
    rel = Path(*dotted.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


MAX_POSITIONAL_OPTIONS = 2   # a constructor's optional arguments that may be given by position


def _constructors():
    """(module, class, __init__ node) of every class in the package."""
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        yield path.relative_to(PACKAGE), node.name, item


def test_constructors_with_several_options_take_them_by_keyword():
    """A constructor with more than a few optional arguments takes most of them by keyword
    only (``Trainer(net, X, y, *, lr=..., l1=...)``): an option appended later cannot shift
    the meaning of a call that passed options by position."""
    offenders = []
    for rel, cls, init in _constructors():
        args = init.args
        optional = len(args.defaults) + sum(d is not None for d in args.kw_defaults)
        positional_optional = len(args.defaults)
        if optional > 3 and positional_optional > MAX_POSITIONAL_OPTIONS:
            offenders.append(f"{rel}:{cls} ({positional_optional} positional options)")
    assert not offenders, offenders


README = PACKAGE.parent / "README.md"


def _layout_table():
    """The README's layout table: folder -> (the module names it mentions, its imports)."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        parts = [p.strip() for p in line.strip().strip("|").split("|")]
        if len(parts) == 3 and parts[0].startswith("`playground/"):
            folder = parts[0].strip("`").removeprefix("playground/").rstrip("/")
            names = {n.removesuffix(".py").rstrip("/") for n in re.findall(r"`([^`]+)`",
                                                                          parts[1])}
            rows[folder] = (names, parts[2])
    return rows


def test_the_readme_layout_table_lists_every_module_of_every_layer():
    """The table cannot go stale: each layer's row names each of its modules (a subpackage
    and its modules too), and nothing that is not there."""
    rows = _layout_table()
    assert set(rows) == set(ALLOWED)
    for layer, (named, _) in rows.items():
        folder = PACKAGE / layer
        actual = {p.stem for p in folder.rglob("*.py") if p.stem != "__init__"}
        actual |= {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
        actual |= {p.name for p in folder.glob("*.js")}
        assert named == actual, (layer, sorted(named ^ actual))


def test_the_readme_layout_table_says_what_each_layer_imports():
    words = {"engine": "engine", "figures": "figures", "state": "state", "app": "app"}
    for layer, (_, imports) in _layout_table().items():
        said = {w for w in words if w in imports} | ({"engine", "figures", "state"}
                                                     if "everything above" in imports else set())
        assert said | {layer} == ALLOWED[layer], (layer, imports)
