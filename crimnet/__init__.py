"""crimnet: criminal network analysis for modern slavery and human trafficking investigations.

The package flows one way: ``ingest`` -> canonical tables -> store (``graphs.store``)
-> graph views -> detection, disruption and ``gnn`` -> reports; ``docs/architecture.md``
describes the parts and the contracts between them.

The public API is importable from here::

    from crimnet import generate_case, open_store, detect, disrupt, hetero_graph, datasets

Names are resolved on first use (PEP 562), so ``import crimnet`` (and the
command line's start) does not import pandas, igraph or the stores. The
subpackages (``crimnet.ingest``, ``crimnet.graphs``, ``crimnet.datasets`` ...)
stay importable as usual. ``ingest`` is one of them, so the function that
turns agency extracts into canonical tables is ``crimnet.ingest.ingest``
(``from crimnet.ingest import ingest``): a function of the same name here
would be replaced by the subpackage whenever it is first imported.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from crimnet.errors import CrimnetError, ParameterError

try:
    __version__ = version("crimnet")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

# Public name -> the module it comes from: a subpackage's own face where it has one (its inner modules may move).
_API: dict[str, str] = {
    "CanonicalTables": "crimnet.tables",
    "generate_case": "crimnet.synthetic",
    "open_store": "crimnet.graphs.store",
    "load": "crimnet.graphs.store",
    "run_query": "crimnet.queries.runner",
    "hetero_graph": "crimnet.graphs.views",
    "person_projection": "crimnet.graphs.views",
    "read_edgelist": "crimnet.graphs.edgelist",
    "detect": "crimnet.graphs.detect",
    "disrupt": "crimnet.graphs.disrupt",
    "detect_case": "crimnet.cases",
    "load_network": "crimnet.cases",
    "run_case": "crimnet.pipeline",
    "demo": "crimnet.pipeline",
}
# Subpackages reachable as attributes without their own import statement.
_SUBPACKAGES = ("datasets", "graphs", "ingest", "queries", "synthetic")

__all__ = ["CrimnetError", "ParameterError", "__version__", *_API, *_SUBPACKAGES]


def __getattr__(name: str) -> Any:
    """Import a public name (or subpackage) on first use and keep it in the module."""
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
