"""Published criminal networks and capture-history tables, bundled with crimnet.

In the style of networkx's ``karate_club_graph`` and igraph's ``Graph.Famous``:
the data sets that the tests, the benchmarks and the README use travel inside
the package, each with its citation and licence note (``networks/README.md``
and ``mse/README.md`` in this folder). The networks are anonymised research
data: node ids are numbers or codes (see ``networks/README.md``).

- :func:`list` -- the catalogue as a DataFrame (name, kind, size, citation, licence);
- :func:`load_network` -- a network as an undirected igraph graph;
- :func:`load_capture_histories` -- a capture-history table for multiple systems estimation;
- :func:`path`, :func:`node_path` -- the bundled files themselves (the command
  line takes a name wherever it takes an edge-list file: ``crimnet disrupt --edges siren``).

Examples
--------
>>> from crimnet import datasets
>>> g = datasets.load_network("montagna_meetings_undirected")
>>> g.vcount(), g.ecount()
(101, 256)
>>> datasets.load_capture_histories("Kosovo").attrs["lists"]
['EXH', 'ABA', 'OSCE', 'HRW']
"""

from crimnet.datasets.catalog import (
    CATALOG,
    KINDS,
    Dataset,
    load_capture_histories,
    load_network,
    node_path,
    path,
)

# `list` shadows the builtin in this module only (which holds no code): the public name is datasets.list
from crimnet.datasets.catalog import list_datasets as list

__all__ = ["CATALOG", "KINDS", "Dataset", "list", "load_capture_histories", "load_network", "node_path", "path"]
