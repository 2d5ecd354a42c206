"""Graphs as arrays: edge ends, CSR adjacency, vertex ids and the checks every algorithm shares.

The one place where an igraph graph becomes NumPy arrays, so detection,
disruption and the views agree on what an edge, a vertex id and a valid graph
are. igraph's ``get_edgelist`` builds one Python tuple per edge (seconds at
ten million edges); :func:`graph_from_edges` therefore keeps the arrays a graph
was built from on the graph itself, and :func:`edge_arrays` returns them while
the graph still has the same vertex and edge counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from crimnet.errors import ParameterError, bad_parameter, check_interval, check_type

__all__ = [
    "EDGE_ARRAYS_ATTRIBUTE",
    "check_graph",
    "check_membership",
    "check_seeded_graph",
    "csr_arrays",
    "edge_arrays",
    "edge_strengths",
    "graph_from_edges",
    "member_ids",
    "node_ids",
    "node_index",
    "simple_edges",
    "weighted_edge_arrays",
]

EDGE_ARRAYS_ATTRIBUTE = "crimnet_edge_arrays"
"""Graph attribute holding ``(vcount, ecount, u, v)`` for graphs built by :func:`graph_from_edges`."""


def check_graph(graph: Any, func: str, *, undirected: bool = False, nonempty: bool = False) -> None:
    """Raise :class:`~crimnet.errors.ParameterError` unless `graph` is an igraph graph of the kind `func` needs.

    Parameters
    ----------
    graph : object
        The value passed as `func`'s ``graph`` parameter.
    func : str
        Name of the public function, for the message.
    undirected : bool, default False
        Refuse directed graphs.
    nonempty : bool, default False
        Refuse graphs without vertices.

    >>> check_graph(ig.Graph(directed=True), "f", undirected=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'graph' parameter of f must be an undirected igraph.Graph. Got 'a directed ...
    """
    expected = "an undirected igraph.Graph" if undirected else "an igraph.Graph"
    check_type(graph, ig.Graph, param="graph", func=func, expected=expected)
    if undirected and graph.is_directed():
        raise bad_parameter("graph", func, expected, "a directed graph")
    if nonempty and graph.vcount() == 0:
        raise ParameterError(
            f"The 'graph' parameter of {func} must have at least one vertex. Got an empty graph instead."
        )


def check_seeded_graph(graph: Any, seed: Any, func: str) -> None:
    """Check the two arguments every randomised algorithm on an undirected graph takes.

    Parameters
    ----------
    graph : object
        The value passed as `func`'s ``graph`` parameter: must be an undirected igraph graph.
    seed : object
        The value passed as `func`'s ``seed`` parameter: must be an integer >= 0.
    func : str
        Name of the public function, for the message.

    Raises
    ------
    crimnet.errors.ParameterError
        If either is not of that kind.

    >>> check_seeded_graph(ig.Graph(), -1, "f")
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'seed' parameter of f must be an int in [0, inf). Got -1 instead.
    """
    check_graph(graph, func, undirected=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)


def check_membership(graph: ig.Graph, membership: Any, func: str) -> np.ndarray:
    """Return `membership` as an int64 array with one community label per vertex of `graph`.

    Parameters
    ----------
    graph : igraph.Graph
        The graph the labels refer to.
    membership : sequence of int
        Community of each vertex, in vertex order (negative: in no community).
    func : str
        Name of the public function, for the message.

    Returns
    -------
    ndarray of int64, shape (n,)

    Raises
    ------
    crimnet.errors.ParameterError
        If `membership` is not a sequence of ``graph.vcount()`` integers.

    >>> check_membership(ig.Graph(2), [0, 1, 1], "f")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'membership' parameter of f must be an array of 2 community labels. Got (3,) ...
    """
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    expected = f"an array of {graph.vcount()} community labels"
    try:
        memb = np.asarray(membership, dtype=np.int64)
    except (TypeError, ValueError):
        raise bad_parameter("membership", func, expected, membership) from None
    if memb.shape != (graph.vcount(),):
        raise bad_parameter("membership", func, expected, memb.shape)
    return memb


def graph_from_edges(n: int, u: np.ndarray, v: np.ndarray) -> ig.Graph:
    """Return the undirected graph on `n` vertices with edges ``(u[i], v[i])``, keeping the arrays on it.

    ``Graph.add_edges`` takes an ``(m, 2)`` array's buffer in one copy; passing
    it to the constructor is several times slower (1.4 s against 0.2 s for
    700,000 edges). The arrays are kept in the graph attribute
    :data:`EDGE_ARRAYS_ATTRIBUTE` for :func:`edge_arrays`.

    >>> graph_from_edges(3, np.array([0, 1]), np.array([1, 2])).get_edgelist()
    [(0, 1), (1, 2)]
    """
    check_interval(n, param="n", func="graph_from_edges", low=0, closed="left", integer=True)
    u = np.ascontiguousarray(u, dtype=np.int64)
    v = np.ascontiguousarray(v, dtype=np.int64)
    g = ig.Graph(n=n, directed=False)
    if len(u):
        g.add_edges(np.column_stack([u, v]))
    g[EDGE_ARRAYS_ATTRIBUTE] = (g.vcount(), g.ecount(), u, v)
    return g


def edge_arrays(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Return the two ends of every edge as int64 arrays, in edge order.

    Graphs from :func:`graph_from_edges` return the arrays they were built
    from (while their vertex and edge counts are unchanged); other graphs are
    read through ``get_edgelist``. O(m).

    >>> edge_arrays(ig.Graph([(0, 1), (1, 2)]))
    (array([0, 1]), array([1, 2]))
    """
    check_type(graph, ig.Graph, param="graph", func="edge_arrays", expected="an igraph.Graph")
    if EDGE_ARRAYS_ATTRIBUTE in graph.attributes():
        n, m, u, v = graph[EDGE_ARRAYS_ATTRIBUTE]
        if (n, m) == (graph.vcount(), graph.ecount()):
            return u, v
    if graph.ecount() == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    e = np.asarray(graph.get_edgelist(), dtype=np.int64)
    return e[:, 0].copy(), e[:, 1].copy()


def simple_edges(graph: ig.Graph) -> np.ndarray:
    """Return the ``(m, 2)`` int64 array of edges, self-loops dropped (parallel edges kept).

    >>> simple_edges(ig.Graph([(0, 0), (0, 1)])).tolist()
    [[0, 1]]
    """
    u, v = edge_arrays(graph)
    keep = u != v
    return np.column_stack([u[keep], v[keep]])


def csr_arrays(graph: ig.Graph) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(indptr, indices)`` of the symmetric simple adjacency of `graph`.

    Direction, self-loops and parallel edges are dropped.

    O(m log m) time, O(n + m) memory.

    >>> indptr, indices = csr_arrays(ig.Graph([(0, 1), (1, 0), (1, 2)]))
    >>> indptr.tolist(), indices.tolist()
    ([0, 1, 3, 4], [1, 0, 2, 1])
    """
    check_type(graph, ig.Graph, param="graph", func="csr_arrays", expected="an igraph.Graph")
    n = graph.vcount()
    e = simple_edges(graph)
    if len(e):
        key = np.unique(np.minimum(e[:, 0], e[:, 1]) * n + np.maximum(e[:, 0], e[:, 1]))
        a, b = key // n, key % n
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
    else:
        src = dst = np.empty(0, dtype=np.int64)
    order = np.lexsort((dst, src))
    indices = dst[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, indices


def edge_strengths(graph: ig.Graph, weight: str | None, func: str) -> list[float] | None:
    """Return the edge attribute `weight` as strengths for igraph, or None for an unweighted run.

    A graph without the attribute is unweighted (documented by every caller).

    Raises
    ------
    crimnet.errors.ParameterError
        If a strength is negative or not finite.
    """
    check_type(graph, ig.Graph, param="graph", func="edge_strengths", expected="an igraph.Graph")
    if weight is None or weight not in graph.es.attributes():
        return None
    w = np.asarray(graph.es[weight], dtype=float)
    if (w < 0).any() or not np.isfinite(w).all():
        raise bad_parameter("weight", func, "an attribute of finite non-negative strengths", weight)
    return w.tolist()


def weighted_edge_arrays(graph: ig.Graph, weight: str | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return edges as arrays ``(u, v, w)`` with ``u < v``.

    Parallel edges are summed; self-loops and zero strengths dropped.

    >>> g = ig.Graph([(0, 1), (1, 0), (1, 1)])
    >>> [a.tolist() for a in weighted_edge_arrays(g, None)]
    [[0], [1], [2.0]]
    """
    check_type(graph, ig.Graph, param="graph", func="weighted_edge_arrays", expected="an igraph.Graph")
    n = graph.vcount()
    if graph.ecount() == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    eu, ev = edge_arrays(graph)
    if weight is not None and weight in graph.es.attributes():
        w = np.asarray(graph.es[weight], dtype=float)
    else:
        w = np.ones(len(eu))
    lo, hi = np.minimum(eu, ev), np.maximum(eu, ev)
    ok = lo != hi
    m = sp.csr_matrix((w[ok], (lo[ok], hi[ok])), shape=(n, n))
    m.sum_duplicates()
    coo = m.tocoo()
    keep = coo.data > 0
    return coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64), coo.data[keep]


def member_ids(graph: ig.Graph) -> np.ndarray:
    """Return each vertex's member id as a string: ``node_id``, else ``name``, else its index.

    >>> member_ids(ig.Graph(2)).tolist()
    ['0', '1']
    """
    check_type(graph, ig.Graph, param="graph", func="member_ids", expected="an igraph.Graph")
    attrs = graph.vs.attributes()
    if "node_id" in attrs:
        return np.asarray(graph.vs["node_id"], dtype=object).astype(str)
    if "name" in attrs:
        return np.asarray(graph.vs["name"], dtype=object).astype(str)
    return np.arange(graph.vcount()).astype(str).astype(object)


def node_ids(graph: ig.Graph) -> np.ndarray:
    """Return the node id of every vertex: its ``name`` attribute, or its index when unnamed.

    >>> node_ids(ig.Graph(3)).tolist()
    [0, 1, 2]
    """
    check_type(graph, ig.Graph, param="graph", func="node_ids", expected="an igraph.Graph")
    if "name" in graph.vertex_attributes():
        return np.asarray(graph.vs["name"], dtype=object)
    return np.arange(graph.vcount(), dtype=np.int64)


def node_index(graph: ig.Graph, ids: Iterable[Any], *, param: str, func: str) -> np.ndarray:
    """Map node ids (vertex names, or indices for unnamed graphs) to vertex indices.

    Raises
    ------
    crimnet.errors.ParameterError
        If an id is not a vertex of `graph`.

    >>> g = ig.Graph(2); g.vs["name"] = ["a", "b"]
    >>> node_index(g, ["b"], param="victims", func="f").tolist()
    [1]
    """
    check_type(graph, ig.Graph, param="graph", func="node_index", expected="an igraph.Graph")
    ids = list(ids)
    if not ids:
        return np.empty(0, dtype=np.int64)
    index = pd.Index(node_ids(graph))
    idx = index.get_indexer(pd.Index(ids, dtype=index.dtype if index.dtype != object else object))
    if (idx < 0).any():
        bad = [ids[i] for i in np.flatnonzero(idx < 0)[:5]]
        raise ParameterError(
            f"The {param!r} parameter of {func} must hold node ids of the graph. Got unknown ids {bad!r} instead."
        )
    return idx.astype(np.int64)
