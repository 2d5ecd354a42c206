"""The package's structure, checked from its source with ``ast``.

Three rules of docs/architecture.md, each a test that fails on the first breach:

* no module imports a private name (``_name``) of another module, in the package or the tests;
* no import cycle between crimnet's modules (every import counts, also those inside functions);
* data flows one way: a module imports only from its own layer or the layers below it, and the
  two analysis packages side by side (detection and disruption) do not import each other.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "crimnet"

# Layers, lowest first: a module may import its own layer and those below (docs/architecture.md).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("crimnet.errors", "crimnet.schema", "crimnet.frames", "crimnet.tables", "crimnet.outputs"),
    ("crimnet.ingest", "crimnet.synthetic"),
    ("crimnet.graphs.store", "crimnet.queries"),
    ("crimnet.graphs.arrays", "crimnet.graphs.views", "crimnet.graphs.edgelist"),
    ("crimnet.graphs.detect", "crimnet.graphs.disrupt", "crimnet.gnn", "crimnet.prevalence", "crimnet.datasets"),
    ("crimnet.viz", "crimnet.report", "crimnet.export"),
    ("crimnet.cases",),
    ("crimnet.pipeline",),
    ("crimnet.cli", "crimnet.__main__"),
)
SIDEWAYS_FORBIDDEN = (
    ("crimnet.graphs.detect", "crimnet.graphs.disrupt"),
    ("crimnet.graphs.disrupt", "crimnet.graphs.detect"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


@functools.cache
def parse(path: Path) -> ast.Module:
    """The syntax tree of `path`, parsed once for all the rules (each walks every file; only read here)."""
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@functools.cache
def imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """Every import of `path` as ``(line, module, names)``; relative imports resolved (found once; only read)."""
    tree = parse(path)
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            found.append((node.lineno, base, [alias.name for alias in node.names]))
    return found


def python_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*.py"))


def layer_of(module: str) -> int | None:
    for i, layer in enumerate(LAYERS):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in layer):
            return i
    return None


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@pytest.mark.parametrize("folder", ["crimnet", "tests", "benchmarks"])
def test_no_private_name_crosses_a_module(folder: str) -> None:
    offences = []
    modules = {module_name(p) for p in python_files(PACKAGE)}
    for path in python_files(ROOT / folder):
        for line, module, names in imports(path):
            if not module.startswith("crimnet"):
                continue
            private = [n for n in names if is_private(n)]
            private += [p for p in module.split(".") if is_private(p)]
            if private:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {private} from {module}")
        offences += private_attributes(path, modules)
    assert not offences, "\n".join(offences)


def private_attributes(path: Path, modules: set[str]) -> list[str]:
    """Uses of ``module._name`` where ``module`` is one of crimnet's `modules` imported by `path`."""
    tree = parse(path)
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crimnet"):
            bound |= {a.asname or a.name for a in node.names if f"{node.module}.{a.name}" in modules}
        elif isinstance(node, ast.Import):
            bound |= {a.asname for a in node.names if a.asname and a.name.startswith("crimnet")}
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in bound
        and is_private(node.attr)
    ]


def test_every_module_has_a_layer() -> None:
    missing = [module_name(p) for p in python_files(PACKAGE) if layer_of(module_name(p)) is None]
    missing = [m for m in missing if m not in ("crimnet", "crimnet.graphs")]
    assert not missing, f"modules outside every layer of LAYERS: {missing}"


def test_data_flows_one_way() -> None:
    offences = []
    for path in python_files(PACKAGE):
        me = module_name(path)
        mine = layer_of(me)
        if mine is None:
            continue
        for line, module, _ in imports(path):
            theirs = layer_of(module)
            if theirs is not None and theirs > mine:
                offences.append(f"{me}:{line} (layer {mine}) imports {module} (layer {theirs})")
            for a, b in SIDEWAYS_FORBIDDEN:
                if (me == a or me.startswith(a + ".")) and (module == b or module.startswith(b + ".")):
                    offences.append(f"{me}:{line} reaches sideways into {module}")
    assert not offences, "\n".join(offences)


def test_no_import_cycle() -> None:
    modules = {module_name(p): p for p in python_files(PACKAGE)}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for me, path in modules.items():
        for _, module, names in imports(path):
            # `from package import submodule` depends on the submodule; anything else on the module named
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules] or [module]
            graph[me].update(t for t in targets if t in modules and t != me)
    # iterative depth-first search; a back edge is a cycle
    state: dict[str, int] = {}
    for start in sorted(graph):
        if start in state:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        state[start] = 1
        path = [start]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                cycle = path[path.index(child) :] + [child]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
