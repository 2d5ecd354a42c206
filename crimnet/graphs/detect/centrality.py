"""Centrality and brokerage: who holds a network together.

Every ``<measure>_scores`` function returns a ``node_scores`` table (DESIGN.md):
one row per vertex with columns ``node_id`` (str), ``label`` (str, the vertex
``label`` attribute or ``''``), ``method`` (str) and ``score`` (float64), and
records its parameters in ``df.attrs``.
"""

from __future__ import annotations

import math

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_interval, check_type
from crimnet.graphs.arrays import check_graph, check_membership, check_seeded_graph, edge_strengths, member_ids

__all__ = [
    "NODE_SCORE_COLUMNS",
    "node_scores_frame",
    "degree_scores",
    "weighted_degree_scores",
    "pagerank_scores",
    "betweenness_scores",
    "brokerage_roles",
]

NODE_SCORE_COLUMNS = ("node_id", "label", "method", "score")


def node_scores_frame(
    graph: ig.Graph, values: np.ndarray, *, method: str, parameters: dict | None = None
) -> pd.DataFrame:
    """Wrap one value per vertex as a ``node_scores`` table.

    >>> node_scores_frame(ig.Graph(2), np.array([1.0, 2.0]), method="m").to_dict("list")
    {'node_id': ['0', '1'], 'label': ['', ''], 'method': ['m', 'm'], 'score': [1.0, 2.0]}
    """
    check_type(graph, ig.Graph, param="graph", func="node_scores_frame", expected="an igraph.Graph")
    labels = graph.vs["label"] if "label" in graph.vs.attributes() else [""] * graph.vcount()
    out = pd.DataFrame(
        {
            "node_id": pd.Series(member_ids(graph), dtype=object),
            "label": pd.Series(labels, dtype=object),
            "method": pd.Series([method] * graph.vcount(), dtype=object),
            "score": np.asarray(values, dtype=np.float64),
        }
    )
    out.attrs.update(method=method, parameters=dict(parameters or {}))
    return out


def degree_scores(graph: ig.Graph) -> pd.DataFrame:
    """Score each vertex by its degree (number of distinct neighbours' edges).

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.

    Returns
    -------
    DataFrame
        ``node_scores`` with method ``'degree'``; score = number of incident
        edges (float64).

    Notes
    -----
    O(n + m).

    Examples
    --------
    >>> degree_scores(ig.Graph([(0, 1), (1, 2)]))["score"].tolist()
    [1.0, 2.0, 1.0]
    """
    check_graph(graph, "degree_scores", undirected=True)
    return node_scores_frame(graph, np.asarray(graph.degree(), dtype=float), method="degree")


def weighted_degree_scores(graph: ig.Graph, *, weight: str | None = "weight") -> pd.DataFrame:
    """Score each vertex by its strength (sum of incident edge weights).

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    weight : str or None, default 'weight'
        Edge attribute of strengths; ``None`` gives the degree.

    Returns
    -------
    DataFrame
        ``node_scores`` with method ``'weighted_degree'``.

    Notes
    -----
    O(n + m).

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2)]); g.es["weight"] = [0.5, 2.0]
    >>> weighted_degree_scores(g)["score"].tolist()
    [0.5, 2.5, 2.0]
    """
    check_graph(graph, "weighted_degree_scores", undirected=True)
    w = edge_strengths(graph, weight, "weighted_degree_scores")
    vals = np.asarray(graph.strength(weights=w), dtype=float)
    return node_scores_frame(graph, vals, method="weighted_degree", parameters={"weight": weight})


def pagerank_scores(graph: ig.Graph, *, damping: float = 0.85, weight: str | None = "weight") -> pd.DataFrame:
    """Score each vertex by PageRank.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    damping : float, default 0.85
        Probability, in (0, 1), of following an edge rather than jumping.
    weight : str or None, default 'weight'
        Edge attribute of strengths (transition rates).

    Returns
    -------
    DataFrame
        ``node_scores`` with method ``'pagerank'``; scores sum to 1.

    Raises
    ------
    crimnet.errors.ParameterError
        If `damping` is outside (0, 1).

    Notes
    -----
    igraph's PRPACK solver: O(m) per iteration, O(n + m) memory.

    References
    ----------
    .. [1] Page, L., Brin, S., Motwani, R. & Winograd, T. (1999). The PageRank
       citation ranking: bringing order to the web. Stanford InfoLab
       technical report 1999-66. http://ilpubs.stanford.edu:8090/422/

    Examples
    --------
    >>> s = pagerank_scores(ig.Graph.Star(4))["score"]
    >>> bool(s[0] > s[1]), round(float(s.sum()), 6)
    (True, 1.0)
    """
    func = "pagerank_scores"
    check_graph(graph, func, undirected=True)
    check_interval(damping, param="damping", func=func, low=0, high=1)
    w = edge_strengths(graph, weight, func)
    vals = np.asarray(graph.pagerank(damping=damping, weights=w), dtype=float) if graph.vcount() else np.zeros(0)
    return node_scores_frame(graph, vals, method="pagerank", parameters={"damping": damping, "weight": weight})


def betweenness_scores(
    graph: ig.Graph,
    *,
    distance: str | None = None,
    normalized: bool = True,
    exact_max: int = 5000,
    n_pivots: int = 512,
    seed: int = 0,
) -> pd.DataFrame:
    """Score each vertex by shortest-path betweenness, exact or estimated from pivots.

    ``c_B(v) = sum_{s != v != t} sigma_st(v) / sigma_st`` over unordered pairs,
    with ``sigma_st`` the number of shortest s-t paths and ``sigma_st(v)``
    those through ``v``.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    distance : str or None, default None
        Edge attribute read as a **distance** (length), not a strength;
        ``None`` counts hops. For a strength ``w`` of the person projection
        store ``1 / w`` in an attribute and pass its name.
    normalized : bool, default True
        Divide by ``(n - 1)(n - 2) / 2``, the number of pairs not involving v.
    exact_max : int, default 5000
        Graphs with at most this many vertices get exact betweenness.
    n_pivots : int, default 512
        Above `exact_max`, sample this many source vertices uniformly without
        replacement and scale by ``n / n_pivots`` (Brandes & Pich 2007).
    seed : int, default 0
        Seed of the pivot sample.

    Returns
    -------
    DataFrame
        ``node_scores`` with method ``'betweenness'``. ``attrs['exact']``
        (bool), ``attrs['n_pivots']`` and, when sampled,
        ``attrs['relative_error']``: the estimated standard error of the
        scores of the top 1% of vertices, relative to their mean, from the
        spread of 8 independent pivot batches (the estimator is unbiased;
        its error shrinks as ``1 / sqrt(n_pivots)``).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Exact: Brandes' algorithm, O(n m) time unweighted (O(n m + n^2 log n)
    weighted), O(n + m) memory. Sampled: O(n_pivots m).

    References
    ----------
    .. [1] Brandes, U. (2001). A faster algorithm for betweenness centrality.
       J. Math. Sociol. 25(2), 163-177. doi:10.1080/0022250X.2001.9990249
    .. [2] Brandes, U. & Pich, C. (2007). Centrality estimation in large
       networks. Int. J. Bifurcation and Chaos 17(7), 2303-2318.
       doi:10.1142/S0218127407018403

    Examples
    --------
    On the path 0-1-2, vertex 1 lies on the one shortest path between 0 and 2:

    >>> betweenness_scores(ig.Graph([(0, 1), (1, 2)]), normalized=False)["score"].tolist()
    [0.0, 1.0, 0.0]
    """
    func = "betweenness_scores"
    check_seeded_graph(graph, seed, func)
    check_type(normalized, bool, param="normalized", func=func, expected="a bool")
    check_interval(exact_max, param="exact_max", func=func, low=0, closed="left", integer=True)
    check_interval(n_pivots, param="n_pivots", func=func, low=1, closed="left", integer=True)
    if distance is not None and distance not in graph.es.attributes():
        raise bad_parameter(
            "distance", func, f"an edge attribute of the graph {graph.es.attributes()} or None", distance
        )
    w = None if distance is None else np.asarray(graph.es[distance], dtype=float).tolist()
    n = graph.vcount()
    attrs: dict = {"exact": True, "n_pivots": n}
    if n <= exact_max or n_pivots >= n:
        vals = np.asarray(graph.betweenness(directed=False, weights=w), dtype=float) if n else np.zeros(0)
    else:
        rng = np.random.default_rng(seed)
        pivots = rng.choice(n, size=n_pivots, replace=False)
        batches = np.array_split(pivots, min(8, n_pivots))
        parts = []
        for batch in batches:
            # igraph sums the dependencies of the sampled sources on all targets; scale by n / |batch|
            b = np.asarray(graph.betweenness(directed=False, weights=w, sources=batch.tolist()), dtype=float)
            parts.append(b * (n / len(batch)))
        est = np.stack(parts)
        vals = est.mean(axis=0)
        top = np.argsort(-vals)[: max(1, n // 100)]
        se = est[:, top].std(axis=0, ddof=1) / math.sqrt(len(batches)) if len(batches) > 1 else np.zeros(len(top))
        mean_top = vals[top].mean()
        attrs = {
            "exact": False,
            "n_pivots": int(n_pivots),
            "relative_error": float(se.mean() / mean_top) if mean_top > 0 else float("nan"),
        }
    if normalized and n > 2:
        vals = vals / ((n - 1) * (n - 2) / 2.0)
    out = node_scores_frame(
        graph,
        vals,
        method="betweenness",
        parameters={
            "distance": distance,
            "normalized": normalized,
            "exact_max": exact_max,
            "n_pivots": n_pivots,
            "seed": seed,
        },
    )
    out.attrs.update(attrs)
    return out


_ROLES = ("coordinator", "itinerant", "representative", "liaison")


def brokerage_roles(graph: ig.Graph, *, membership: np.ndarray | list[int]) -> pd.DataFrame:
    """Count each vertex's brokerage roles between communities (Gould & Fernandez).

    A vertex ``b`` brokers a pair of its neighbours ``a``, ``c`` that are not
    adjacent themselves. On an undirected graph the roles are, with ``g(.)``
    the community:

    * coordinator: ``g(a) = g(b) = g(c)`` (brokers within its own group);
    * itinerant (consultant): ``g(a) = g(c) != g(b)`` (an outsider linking a group);
    * representative / gatekeeper: exactly one of ``a``, ``c`` in ``g(b)``
      (the gate between its group and another; the two directed roles merge);
    * liaison: all three groups differ.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected simple graph.
    membership : array of int, shape (n,)
        Community of each vertex (e.g. ``clusters.attrs['membership']``).

    Returns
    -------
    DataFrame
        ``node_scores`` with method ``'brokerage'`` and score = number of pairs
        brokered between different communities (itinerant + representative +
        liaison), plus int64 columns ``coordinator``, ``itinerant``,
        ``representative``, ``liaison``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `membership` does not have one entry per vertex.

    Notes
    -----
    Counts by neighbour-group tallies (O(m)) minus closed pairs found by
    triangle listing (O(m^1.5)), so no neighbour pair is enumerated;
    memory O(m + triangles).

    References
    ----------
    .. [1] Gould, R. V. & Fernandez, R. M. (1989). Structures of mediation: a
       formal approach to brokerage in transaction networks. Sociological
       Methodology 19, 89-126. doi:10.2307/270949

    Examples
    --------
    Vertex 1 joins group 0 (vertex 0) to group 1 (vertex 2):

    >>> r = brokerage_roles(ig.Graph([(0, 1), (1, 2)]), membership=[0, 0, 1])
    >>> int(r.at[1, "coordinator"]), int(r.at[1, "representative"]), float(r.at[1, "score"])
    (0, 1, 1.0)
    """
    func = "brokerage_roles"
    check_graph(graph, func, undirected=True)
    memb = check_membership(graph, membership, func)
    n = graph.vcount()
    g = graph.copy().simplify()
    e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    b = np.concatenate([e[:, 0], e[:, 1]])
    nb = np.concatenate([e[:, 1], e[:, 0]])
    tally = pd.DataFrame({"b": b, "g": memb[nb]}).value_counts().reset_index(name="k")
    own = tally["g"].to_numpy() == memb[tally["b"].to_numpy()]
    pairs = tally["k"].to_numpy() * (tally["k"].to_numpy() - 1) // 2
    deg = np.bincount(b, minlength=n).astype(np.int64)
    n_own = np.bincount(tally["b"][own], weights=tally["k"][own], minlength=n).astype(np.int64)
    coord = np.bincount(tally["b"][own], weights=pairs[own], minlength=n).astype(np.int64)
    itin = np.bincount(tally["b"][~own], weights=pairs[~own], minlength=n).astype(np.int64)
    rep = n_own * (deg - n_own)
    total = deg * (deg - 1) // 2
    # remove closed pairs: in each triangle every vertex "brokers" the adjacent pair opposite it
    tri = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
    for i in range(3):
        v, x, y = tri[:, i], tri[:, (i + 1) % 3], tri[:, (i + 2) % 3]
        gv, gx, gy = memb[v], memb[x], memb[y]
        total -= np.bincount(v, minlength=n)
        coord -= np.bincount(v[(gx == gv) & (gy == gv)], minlength=n)
        itin -= np.bincount(v[(gx == gy) & (gx != gv)], minlength=n)
        rep -= np.bincount(v[(gx == gv) != (gy == gv)], minlength=n)
    liaison = total - coord - itin - rep
    out = node_scores_frame(graph, (itin + rep + liaison).astype(float), method="brokerage")
    for name, col in zip(_ROLES, (coord, itin, rep, liaison), strict=True):
        out[name] = col.astype(np.int64)
    return out
