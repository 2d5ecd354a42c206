"""Splitting oversized communities: Leiden inside each one, then recursive Fiedler cuts.

Modularity has a resolution limit (Fortunato & Barthelemy 2007): on a large
graph its communities hold hundreds or thousands of people, far more than a
team can act on. The functions here split them, each taking a graph and the
partition to split:

* :func:`leiden_split`: Leiden on each oversized community's own subgraph,
  round after round (all communities of a round in one Leiden call);
* :func:`fiedler_bisection`: connected components, then the lowest-conductance
  sweep cut along the Fiedler vector, recursively (all pieces of a level at once);
* :func:`split_oversized`: the two in turn on a membership vector, as
  :func:`crimnet.graphs.detect.detection.detect` splits every method's communities;
* :func:`sweep_cut`: one level of Fiedler cuts, every community's best sweep
  cut at once.

The first two take and return ``clusters`` tables
(:mod:`crimnet.graphs.detect.community`); the last two membership vectors
(the community of each vertex, negative for none).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp

from crimnet.errors import check_interval, check_type
from crimnet.graphs.arrays import (
    check_membership,
    check_seeded_graph,
    edge_strengths,
    graph_from_edges,
    weighted_edge_arrays,
)
from crimnet.graphs.detect.community import cluster_membership, clusters_from_membership, seeded_igraph
from crimnet.graphs.detect.spectral import top_eigenpairs

__all__ = ["leiden_split", "fiedler_bisection", "split_oversized", "sweep_cut"]


def _start(
    graph: ig.Graph, clusters: pd.DataFrame | None, member_label: str | None, *, seed: int, max_size: int, func: str
) -> np.ndarray:
    """Check the common arguments of the splitters; return the membership to split.

    The community of each vertex from `clusters`, or the connected components without it.
    """
    check_seeded_graph(graph, seed, func)
    check_interval(max_size, param="max_size", func=func, low=2, closed="left", integer=True)
    if clusters is None:
        return np.asarray(graph.connected_components().membership, dtype=np.int64)
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    return cluster_membership(graph, clusters, member_label=member_label)


def _split_method(clusters: pd.DataFrame | None, how: str, default: str) -> str:
    """Method name of split clusters: ``'<input method>+<how>'`` when the input has one method, else `default`."""
    methods = clusters["method"].unique().tolist() if clusters is not None and "method" in clusters else []
    return f"{methods[0]}+{how}" if len(methods) == 1 else default


def leiden_split(
    graph: ig.Graph,
    *,
    clusters: pd.DataFrame | None = None,
    max_size: int = 50,
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Split oversized clusters with Leiden run inside each one, recursively.

    Modularity has a resolution limit: on a large graph it merges groups
    smaller than about ``sqrt(2m)`` in strength, so communities of a
    1,000,000-person projection hold thousands of people. Each cluster (or,
    without `clusters`, each connected component) with more than `max_size`
    members is split by Leiden on its own subgraph, where modularity compares
    it with its own null model and finds the groups inside it; pieces are
    split again until none exceeds `max_size` or Leiden keeps a piece whole
    (finish those with :func:`fiedler_bisection`).

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    clusters : DataFrame, optional
        A ``clusters`` table whose ``members`` are ``node_id`` (or ``name``)
        values of `graph`; vertices in no cluster stay unassigned. Default:
        the connected components.
    max_size : int, default 50
        Largest cluster left unsplit (>= 2).
    resolution : float, default 1.0
        Modularity resolution inside each cluster (> 0).
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of Leiden's random numbers.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop clusters with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table, method ``'<input method>+leiden'`` (or ``'leiden_split'``).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Every round is one Leiden call on the union of the oversized clusters'
    subgraphs, with the constant Potts model and node weights
    ``k_i / sqrt(2 m_c)`` (strength inside the cluster over the root of the
    cluster's total strength): its objective is the sum of the clusters' own
    modularities, so all are split at once in C. A round costs O(m) and
    rounds number about log(largest cluster / `max_size`).

    References
    ----------
    .. [1] Fortunato, S. & Barthelemy, M. (2007). Resolution limit in community
       detection. PNAS 104(1), 36-41. doi:10.1073/pnas.0605965104
    .. [2] Traag, V. A., Waltman, L. & van Eck, N. J. (2019). From Louvain to
       Leiden: guaranteeing well-connected communities. Scientific Reports 9,
       5233. doi:10.1038/s41598-019-41695-z

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(0, 4)
    >>> leiden_split(g, max_size=5)["members"].tolist()
    [['0', '1', '2', '3'], ['4', '5', '6', '7']]
    """
    func = "leiden_split"
    memb = _start(graph, clusters, member_label, seed=seed, max_size=max_size, func=func)
    check_interval(resolution, param="resolution", func=func, low=0)
    edge_strengths(graph, weight, func)  # checks the strengths
    memb = _split_by_leiden(
        graph.vcount(), weighted_edge_arrays(graph, weight), memb, max_size=max_size, resolution=resolution, seed=seed
    )
    base = _split_method(clusters, "leiden", "leiden_split")
    params = {"max_size": max_size, "resolution": resolution, "weight": weight, "seed": seed}
    return clusters_from_membership(
        graph, memb, method=base, parameters=params, member_label=member_label, min_size=min_size
    )


def fiedler_bisection(
    graph: ig.Graph,
    *,
    clusters: pd.DataFrame | None = None,
    max_size: int = 50,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Split oversized clusters recursively along the Fiedler vector.

    Each cluster (or, without `clusters`, each connected component) with more
    than `max_size` vertices is split: into its connected components when the
    induced subgraph is disconnected, otherwise by the sweep cut of lowest
    conductance along its Fiedler vector; pieces are split again until none
    exceeds `max_size`.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    clusters : DataFrame, optional
        A ``clusters`` table whose ``members`` are ``node_id`` (or ``name``)
        values of `graph`; vertices in no cluster stay unassigned. Default: the
        connected components.
    max_size : int, default 50
        Largest cluster left unsplit (>= 2).
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of ARPACK's start vector.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop clusters with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table, method ``'<input method>+fiedler'`` (or
        ``'fiedler'``).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Pieces are split level by level: one connected-components pass finds the
    disconnected pieces of a level, each connected piece gets its Fiedler
    vector (a dense ``eigh`` of its two largest eigenpairs up to 400 vertices,
    ARPACK above, about O(m_piece) per Lanczos iteration), and the sweep cuts
    of all pieces of the level are one vectorised pass, O(m log n). A balanced
    recursion costs O(log(n / max_size)) levels. Very large communities are
    cheaper to split first with :func:`leiden_split`.

    References
    ----------
    .. [1] Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak
       Mathematical Journal 23(2), 298-305. doi:10.21136/CMJ.1973.101168
    .. [2] Shi, J. & Malik, J. (2000). Normalized cuts and image segmentation.
       IEEE TPAMI 22(8), 888-905. doi:10.1109/34.868688

    Examples
    --------
    >>> g = ig.Graph.Full(5) + ig.Graph.Full(5)
    >>> _ = g.add_edge(4, 5)
    >>> fiedler_bisection(g, max_size=6)["members"].tolist()
    [['0', '1', '2', '3', '4'], ['5', '6', '7', '8', '9']]
    """
    func = "fiedler_bisection"
    memb = _start(graph, clusters, member_label, seed=seed, max_size=max_size, func=func)
    base = _split_method(clusters, "fiedler", "fiedler")
    memb = _split_pieces(graph.vcount(), weighted_edge_arrays(graph, weight), memb, max_size=max_size, seed=seed)
    params = {"max_size": max_size, "weight": weight, "seed": seed}
    return clusters_from_membership(
        graph, memb, method=base, parameters=params, member_label=member_label, min_size=min_size
    )


def split_oversized(
    graph: ig.Graph,
    membership: np.ndarray | list[int],
    *,
    max_size: int = 50,
    leiden_above: int | None = None,
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int = 0,
) -> np.ndarray:
    """Split every community above `max_size`: by Leiden inside it first when it is very large, then by Fiedler cuts.

    Communities above `leiden_above` are split as by :func:`leiden_split`
    (down to `leiden_above`, or until Leiden keeps a piece whole); every piece
    still above `max_size` is then split as by :func:`fiedler_bisection`.
    Communities at or below `max_size` keep their label.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    membership : array of int, shape (n,)
        Community of each vertex (negative: in none, left so).
    max_size : int, default 50
        Largest community left unsplit (>= 2).
    leiden_above : int or None, default None
        Split communities above this size by Leiden first (>= 2); ``None``
        uses Fiedler cuts only.
    resolution : float, default 1.0
        Modularity resolution of the Leiden splits (> 0).
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of Leiden and of ARPACK's start vectors.

    Returns
    -------
    ndarray of int64, shape (n,)
        The new membership: no community is larger than `max_size`; those that
        were keep their label, the pieces of split ones get new labels (above
        the largest input label).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    The cost of :func:`leiden_split` (one Leiden call per round, about
    log(size / `leiden_above`) rounds) plus that of :func:`fiedler_bisection`
    on what is left; with both, a 1,000,000-person projection's communities
    are split in seconds (``benchmarks/results/detect_speed.md``).

    Examples
    --------
    >>> g = ig.Graph.Full(5) + ig.Graph.Full(5)
    >>> _ = g.add_edge(4, 5)
    >>> split_oversized(g, [0] * 10, max_size=6).tolist()
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    """
    func = "split_oversized"
    check_seeded_graph(graph, seed, func)
    memb = check_membership(graph, membership, func)
    check_interval(max_size, param="max_size", func=func, low=2, closed="left", integer=True)
    if leiden_above is not None:
        check_interval(leiden_above, param="leiden_above", func=func, low=2, closed="left", integer=True)
    check_interval(resolution, param="resolution", func=func, low=0)
    edge_strengths(graph, weight, func)  # checks the strengths
    n, edges = graph.vcount(), weighted_edge_arrays(graph, weight)
    if leiden_above is not None:
        memb = _split_by_leiden(n, edges, memb, max_size=leiden_above, resolution=resolution, seed=seed)
    return _split_pieces(n, edges, memb, max_size=max_size, seed=seed)


def sweep_cut(
    graph: ig.Graph, membership: np.ndarray | list[int], *, weight: str | None = "weight", seed: int = 0
) -> np.ndarray:
    """Cut every community in two at once, each along its own Fiedler vector where the conductance is lowest.

    For each community with at least two vertices, its vertices are sorted by
    the Fiedler vector of the community's own normalised Laplacian (in the
    random-walk form ``D^-1/2 v``, see
    :func:`crimnet.graphs.detect.spectral.fiedler_vector`) and cut after the
    prefix of lowest conductance ``cut / min(vol(S), vol(rest))`` (the Cheeger
    sweep). One level of :func:`fiedler_bisection`.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    membership : array of int, shape (n,)
        Community of each vertex (negative: in none); communities should be
        connected (on a disconnected one some cut of zero conductance is taken).
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of ARPACK's start vector (communities above 400 vertices).

    Returns
    -------
    ndarray of bool, shape (n,)
        True for the vertices on the prefix side of their community's cut;
        False on the other side, in single-vertex communities and in none.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    One Fiedler vector per community (a dense ``eigh`` of its two largest
    eigenpairs up to 400 vertices, ARPACK above) and one vectorised sweep over
    all communities, O(m log n).

    References
    ----------
    .. [1] Chung, F. (1997). Spectral Graph Theory, chapter 2 (the Cheeger
       inequality and sweep cuts). AMS. ISBN 978-0-8218-0315-8

    Examples
    --------
    >>> g = ig.Graph.Full(4) + ig.Graph.Full(4)
    >>> _ = g.add_edge(3, 4)
    >>> side = sweep_cut(g, [0] * 8)
    >>> sorted(np.flatnonzero(side).tolist()) in ([0, 1, 2, 3], [4, 5, 6, 7])
    True
    """
    func = "sweep_cut"
    check_seeded_graph(graph, seed, func)
    memb = check_membership(graph, membership, func)
    edge_strengths(graph, weight, func)  # checks the strengths
    n = graph.vcount()
    eu, ev, ew = weighted_edge_arrays(graph, weight)
    side = np.zeros(n, dtype=bool)
    sizes = np.bincount(memb[memb >= 0], minlength=1)
    cut = np.zeros(n, dtype=bool)
    cut[memb >= 0] = sizes[memb[memb >= 0]] >= 2
    if not cut.any():
        return side
    inside = cut[eu] & cut[ev] & (memb[eu] == memb[ev])
    nodes = np.flatnonzero(cut)
    order = nodes[np.argsort(memb[nodes], kind="stable")]
    codes, _ = pd.factorize(memb[order], sort=False)
    side[order] = _batched_fiedler_sides(order, codes, eu[inside], ev[inside], ew[inside], n, seed)
    return side


def _split_by_leiden(
    n: int,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    memb: np.ndarray,
    *,
    max_size: int,
    resolution: float,
    seed: int,
) -> np.ndarray:
    """Split communities above `max_size` by Leiden on their own subgraphs, round after round.

    All oversized communities of a round are split in one Leiden call on the union of their
    subgraphs: the constant Potts model with node weights ``k_i / sqrt(2 m_c)`` (``k_i`` the
    strength of vertex i inside its community c, ``m_c`` the community's total strength)
    is exactly the sum of each community's own modularity, so each is split as if alone.
    Communities Leiden leaves whole are not tried again.
    """
    eu_all, ev_all, ew_all = edges
    memb = memb.copy()
    next_label = int(memb.max(initial=-1)) + 1
    tried = np.zeros(next_label, dtype=bool)
    with seeded_igraph(seed):
        while True:
            valid = memb >= 0
            sizes = np.bincount(memb[valid], minlength=next_label)
            tried = np.r_[tried, np.zeros(next_label - len(tried), dtype=bool)]
            big = (sizes > max_size) & ~tried
            active = np.zeros(n, dtype=bool)
            active[valid] = big[memb[valid]]
            if not active.any():
                return memb
            tried |= big
            nodes = np.flatnonzero(active)
            local = np.full(n, -1, dtype=np.int64)
            local[nodes] = np.arange(len(nodes))
            inside = active[eu_all] & active[ev_all] & (memb[eu_all] == memb[ev_all])
            lu, lv, w = local[eu_all[inside]], local[ev_all[inside]], ew_all[inside]
            strength = np.bincount(lu, weights=w, minlength=len(nodes)) + np.bincount(
                lv, weights=w, minlength=len(nodes)
            )
            piece = memb[nodes]
            total = np.bincount(piece, weights=strength, minlength=next_label)[piece]  # 2 m_c
            node_w = np.divide(strength, np.sqrt(total), out=np.zeros(len(nodes)), where=total > 0)
            sub = graph_from_edges(len(nodes), lu, lv)
            part = sub.community_leiden(
                objective_function="CPM",
                weights=w.tolist(),
                node_weights=node_w.tolist(),
                resolution=float(resolution),
                n_iterations=2,
            )
            comm = np.asarray(part.membership, dtype=np.int64)
            key = piece * (int(comm.max(initial=0)) + 1) + comm  # a community never spans two pieces
            codes, uniq = pd.factorize(key, sort=False)
            parts_per_piece = np.bincount(piece[np.unique(codes, return_index=True)[1]], minlength=next_label)
            split = parts_per_piece[piece] > 1
            if not split.any():
                return memb
            memb[nodes[split]] = next_label + codes[split]
            next_label += len(uniq)


_BATCH_DENSE_MAX = 400
"""Largest piece whose Fiedler vector comes from a dense solver when splitting (ARPACK above)."""


def _relabel_components(
    memb: np.ndarray, nodes: np.ndarray, eu: np.ndarray, ev: np.ndarray, next_label: int
) -> tuple[np.ndarray, int]:
    """Give every connected component of a piece (edges `eu`-`ev` inside pieces) its own label.

    Returns the nodes of the pieces that were connected already, and the next free label.
    """
    import scipy.sparse.csgraph as csg

    local = np.full(len(memb), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    k = len(nodes)
    adj = sp.csr_matrix((np.ones(len(eu)), (local[eu], local[ev])), shape=(k, k))
    _, comp = csg.connected_components(adj, directed=False)
    piece = memb[nodes]
    key = piece * (int(comp.max(initial=0)) + 1) + comp  # one code per (piece, component)
    codes, uniq = pd.factorize(key, sort=False)
    uniq_piece = uniq // (int(comp.max(initial=0)) + 1)
    n_comp = np.bincount(pd.factorize(uniq_piece)[0])
    split = pd.unique(uniq_piece)[n_comp > 1]
    broken = np.isin(piece, split)
    if broken.any():
        memb[nodes[broken]] = next_label + codes[broken]
        next_label += int(codes.max()) + 1
    return nodes[~broken], next_label


def _batched_fiedler_sides(
    nodes: np.ndarray, piece: np.ndarray, eu: np.ndarray, ev: np.ndarray, ew: np.ndarray, n_total: int, seed: int
) -> np.ndarray:
    """Sweep-cut sides of many connected pieces at once (see :func:`sweep_cut`).

    `nodes` are graph vertices grouped by `piece` (a dense piece index 0..P-1,
    non-decreasing), `eu`, `ev`, `ew` the edges inside pieces. Each piece's
    Fiedler vector comes from a dense ``eigh`` of its normalised adjacency
    (the two largest eigenpairs only), ARPACK above :data:`_BATCH_DENSE_MAX`
    vertices; the sweep cuts of all pieces are one vectorised pass. Returns a
    bool per node: on the lowest-conductance prefix side.
    """
    n_pieces = int(piece.max()) + 1 if len(piece) else 0
    counts = np.bincount(piece, minlength=n_pieces)
    start = np.r_[0, np.cumsum(counts)[:-1]]
    local_all = np.full(n_total, -1, dtype=np.int64)
    local_all[nodes] = np.arange(len(nodes)) - start[piece]
    pos_of = np.full(n_total, -1, dtype=np.int64)
    pos_of[nodes] = np.arange(len(nodes))
    pe = piece[pos_of[eu]]
    lu, lv = local_all[eu], local_all[ev]
    deg = np.bincount(pos_of[eu], weights=ew, minlength=len(nodes)) + np.bincount(
        pos_of[ev], weights=ew, minlength=len(nodes)
    )
    inv = np.zeros(len(nodes))
    inv[deg > 0] = 1.0 / np.sqrt(deg[deg > 0])
    vec = np.zeros(len(nodes))
    e_order = np.argsort(pe, kind="stable")
    e_start = np.searchsorted(pe[e_order], np.arange(n_pieces + 1))
    import scipy.linalg as la

    for p in range(n_pieces):
        n = int(counts[p])
        es = e_order[e_start[p] : e_start[p + 1]]
        val = ew[es] * inv[pos_of[eu[es]]] * inv[pos_of[ev[es]]]
        if n <= _BATCH_DENSE_MAX:
            m = np.zeros((n, n))
            m[lu[es], lv[es]] = val
            m[lv[es], lu[es]] = val
            _, vecs = la.eigh(m, subset_by_index=[n - 2, n - 1], check_finite=False)
            vec[start[p] : start[p] + n] = vecs[:, 0]
        else:
            m = sp.csr_matrix((val, (lu[es], lv[es])), shape=(n, n))
            _, vecs = top_eigenpairs(m + m.T, k=2, seed=seed, dense_max=0)
            vec[start[p] : start[p] + n] = vecs[:, 1]
    v = vec * inv
    # unit norm and sign per piece do not change the sweep (prefix and complement cut alike)
    order = np.lexsort((v, piece))
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[order] = np.arange(len(nodes))
    ru, rv = rank[pos_of[eu]], rank[pos_of[ev]]
    lo, hi = np.minimum(ru, rv), np.maximum(ru, rv)
    diff = np.bincount(lo, weights=ew, minlength=len(nodes) + 1) - np.bincount(hi, weights=ew, minlength=len(nodes) + 1)
    cut = np.cumsum(diff)[: len(nodes)]  # cut between prefix [start..i] of a piece and the rest of it
    deg_sorted = deg[order]
    cum = np.cumsum(deg_sorted)
    before = np.r_[0.0, cum][start]
    vol = cum - before[piece[order]]
    total = (np.r_[0.0, cum][start + counts] - before)[piece[order]]
    denom = np.minimum(vol, total - vol)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(denom > 0, cut / np.where(denom > 0, denom, 1.0), np.inf)
    last = np.zeros(len(nodes), dtype=bool)
    last[start + counts - 1] = True
    cond[last] = np.inf  # a prefix must leave someone on the other side
    # smallest conductance per piece; first on ties (as argmin)
    idx = np.lexsort((np.arange(len(nodes)), cond, piece[order]))
    best = idx[start] - start
    side_sorted = (np.arange(len(nodes)) - start[piece[order]]) <= best[piece[order]]
    side = np.empty(len(nodes), dtype=bool)
    side[order] = side_sorted
    return side


def _split_pieces(
    n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray], memb: np.ndarray, *, max_size: int, seed: int
) -> np.ndarray:
    """Fiedler-split every piece of `memb` above `max_size` (`edges` from :func:`weighted_edge_arrays`)."""
    memb = np.asarray(memb, dtype=np.int64).copy()
    eu_all, ev_all, ew_all = edges
    next_label = int(memb.max(initial=-1)) + 1
    while True:
        valid = memb >= 0
        sizes = np.bincount(memb[valid], minlength=next_label)
        big = sizes > max_size
        active = np.zeros(n, dtype=bool)
        active[valid] = big[memb[valid]]
        if not active.any():
            return memb
        nodes = np.flatnonzero(active)
        inside = active[eu_all] & active[ev_all] & (memb[eu_all] == memb[ev_all])
        eu, ev, ew = eu_all[inside], ev_all[inside], ew_all[inside]
        connected, next_label = _relabel_components(memb, nodes, eu, ev, next_label)
        if len(connected) == 0:
            continue
        # pieces that were connected: one Fiedler sweep cut each
        keep = np.zeros(n, dtype=bool)
        keep[connected] = True
        inside = keep[eu] & keep[ev]
        eu, ev, ew = eu[inside], ev[inside], ew[inside]
        order = connected[np.argsort(memb[connected], kind="stable")]
        piece_codes, piece_labels = pd.factorize(memb[order], sort=False)
        side = _batched_fiedler_sides(order, piece_codes, eu, ev, ew, n, seed)
        # the prefix side of each piece gets a new label
        moved = order[side]
        codes_moved = piece_codes[side]
        memb[moved] = next_label + codes_moved
        next_label += len(piece_labels)
