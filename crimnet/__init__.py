"""crimnet: criminal network analysis for modern slavery and human trafficking investigations.

The package flows one way: ``ingest`` -> canonical tables -> store (``graphs``)
-> graph views -> detection, disruption and ``gnn`` -> reports. See DESIGN.md.
"""

from importlib.metadata import PackageNotFoundError, version

from crimnet.errors import CrimnetError
from crimnet.tables import CanonicalTables

try:
    __version__ = version("crimnet")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["CanonicalTables", "CrimnetError", "__version__"]
