"""What a page or a figure draws: a cluster and its neighbourhood, or the paths between people.

Each function takes the graph of :func:`crimnet.graphs.views.hetero_graph` (vertex
attribute ``name`` ``'<Label>:<id>'``) and returns an induced subgraph with every
vertex and edge attribute kept and a boolean vertex attribute ``member`` (the
vertices asked for). One person or entity to N hops is ``cluster_subgraph(graph,
[name], hops=N)``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import igraph as ig
import numpy as np

from crimnet.errors import CrimnetError, check_interval, check_type

__all__ = ["cluster_subgraph", "path_subgraph", "seeded_layout"]


def cluster_subgraph(graph: ig.Graph, members: Iterable[str], *, hops: int = 1, max_nodes: int = 400) -> ig.Graph:
    """Return the subgraph induced by `members` and everything within `hops` of them.

    Parameters
    ----------
    graph : igraph.Graph
        A graph with a vertex attribute ``name`` (for example ``hetero_graph``).
    members : iterable of str
        Vertex names (``'<Label>:<id>'``) of the cluster, or of one person or entity.
    hops : int, default 1
        Neighbourhood radius, 0 to 4; 1 adds the phones, addresses, accounts... the members touch.
    max_nodes : int, default 400
        Cap on the result; the nearest vertices (by hop, then degree) are kept. Pages draw no
        more than their own ``max_nodes`` and say so: pass a larger cap here to let them count.

    Returns
    -------
    igraph.Graph
        The induced subgraph, vertex attributes kept, with ``member`` (bool) added.

    Notes
    -----
    Time O(size of the neighbourhood).
    """
    check_type(graph, ig.Graph, param="graph", func="cluster_subgraph", expected="an igraph.Graph")
    check_interval(hops, param="hops", func="cluster_subgraph", low=0, high=4, closed="both", integer=True)
    check_interval(max_nodes, param="max_nodes", func="cluster_subgraph", low=1, closed="left", integer=True)
    index = {n: i for i, n in enumerate(graph.vs["name"])}
    seeds = [index[m] for m in members if m in index]
    hop: dict[int, int] = {v: 0 for v in seeds}
    frontier = seeds
    for h in range(1, hops + 1):
        nxt = {u for v in frontier for u in graph.neighbors(v)} - hop.keys()
        hop.update({u: h for u in nxt})
        frontier = list(nxt)
    degree = graph.degree()
    keep = sorted(hop, key=lambda v: (hop[v], -degree[v], v))[:max_nodes]
    return _induced(graph, keep, {graph.vs[v]["name"] for v in seeds})


def path_subgraph(graph: ig.Graph, members: Iterable[str], *, hops: int = 0) -> ig.Graph:
    """Return the shortest paths joining `members` in turn (the first to the second, ...), with `hops` around them.

    Parameters
    ----------
    graph : igraph.Graph
        A graph with a vertex attribute ``name``.
    members : iterable of str
        Two or more vertex names, for example two people; ``member`` marks them in the result.
    hops : int, default 0
        Neighbourhood radius added around every vertex of the paths, 0 to 2.

    Returns
    -------
    igraph.Graph
        The induced subgraph of the paths' vertices (one shortest path per consecutive pair).

    Raises
    ------
    crimnet.errors.CrimnetError
        A name is not in the graph, or two consecutive names are not connected.
    """
    check_type(graph, ig.Graph, param="graph", func="path_subgraph", expected="an igraph.Graph")
    check_interval(hops, param="hops", func="path_subgraph", low=0, high=2, closed="both", integer=True)
    names = list(members)
    index = {n: i for i, n in enumerate(graph.vs["name"])}
    missing = [n for n in names if n not in index]
    if missing:
        raise CrimnetError(f"{missing}: not in the graph; name vertices as '<Label>:<id>' (Person:P0123...).")
    keep = {index[n] for n in names}
    for a, b in zip(names, names[1:], strict=False):
        with warnings.catch_warnings():  # igraph warns of an unreachable target; the error below says it
            warnings.simplefilter("ignore", RuntimeWarning)
            path = graph.get_shortest_paths(index[a], to=index[b], output="vpath")[0]
        if not path:
            raise CrimnetError(f"{a} and {b} are not connected in this graph: there is no path to draw.")
        keep.update(path)
    around = cluster_subgraph(graph, [graph.vs[v]["name"] for v in keep], hops=hops, max_nodes=graph.vcount() or 1)
    return _induced(graph, [index[n] for n in around.vs["name"]], set(names))


def seeded_layout(graph: ig.Graph, *, seed: int = 0) -> np.ndarray:
    """Return vertex positions (n x 2, centred, unit scale) that depend only on `graph` and `seed`.

    Kamada-Kawai from seeded random starting positions: it uses no global random state, so the
    same graph gets the same picture in every process, page load and figure.
    """
    check_type(graph, ig.Graph, param="graph", func="seeded_layout", expected="an igraph.Graph")
    check_interval(seed, param="seed", func="seeded_layout", low=0, closed="left", integer=True)
    n = graph.vcount()
    if n < 2:
        return np.zeros((n, 2))
    start = np.random.default_rng(seed).random((n, 2)) * np.sqrt(n)
    xy = np.asarray(graph.layout_kamada_kawai(seed=start.tolist(), maxiter=50 * n).coords, dtype=float)
    xy -= xy.mean(axis=0)
    return xy / max(float(np.abs(xy).max()), 1e-9)


def _induced(graph: ig.Graph, vertices: Iterable[int], members: set[str]) -> ig.Graph:
    sub = graph.induced_subgraph(sorted(set(vertices)))
    sub.vs["member"] = [n in members for n in sub.vs["name"]]
    return sub
