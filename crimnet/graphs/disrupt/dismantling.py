"""Dismantling: remove the nodes that hold the network together, until it falls into small pieces.

Network dismantling asks for the smallest set of nodes whose removal leaves no
component above a given size. The strategies here come from that literature:
cut vertices first (``articulation``), collective influence
(``collective_influence``, Morone & Makse 2015), decycling of the 2-core then
tree breaking (``corehd``, Zdeborová et al. 2016) and decycling with greedy
reinsertion (``decycling_reinsertion``, Braunstein et al. 2016). Each has the
strategy signature of :mod:`crimnet.graphs.disrupt`; when its own score stops
being meaningful it completes the order with adaptive degree
(:meth:`~crimnet.graphs.disrupt.ordering.OrderingContext.complete`).

Two of their scores are useful on their own: :func:`articulation_scores` (how
many nodes each node cuts off) and :func:`collective_influence`.

References
----------
.. [1] F. Morone and H. A. Makse, "Influence maximization in complex networks
   through optimal percolation", Nature 524, 65-68 (2015). doi:10.1038/nature14604
.. [2] L. Zdeborová, P. Zhang and H.-J. Zhou, "Fast and simple decycling and
   dismantling of networks", Sci. Rep. 6, 37954 (2016). doi:10.1038/srep37954
.. [3] A. Braunstein, L. Dall'Asta, G. Semerjian and L. Zdeborová, "Network
   dismantling", PNAS 113(44), 12368-12373 (2016). doi:10.1073/pnas.1605083113
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from crimnet.errors import check_interval, check_type
from crimnet.graphs.arrays import check_graph, csr_arrays, node_index
from crimnet.graphs.disrupt.ordering import OrderingContext, ScoreFunction, prepare
from crimnet.graphs.disrupt.registry import register_strategy
from crimnet.graphs.disrupt.robustness import robustness_curve

__all__ = [
    "articulation_ranking",
    "articulation_scores",
    "collective_influence",
    "collective_influence_ranking",
    "corehd_ranking",
    "decycling_reinsertion_ranking",
    "greedy_reinsertion",
]


# ---------------------------------------------------------------------------- articulation points


def articulation_scores(graph: ig.Graph) -> np.ndarray:
    """Return, for every node, how many nodes its removal cuts off from the main piece of its component.

    The score of v is ``c - max(piece)``, where ``c + 1`` is the size of v's
    component and ``piece`` ranges over the pieces the component falls into
    when v is removed: zero unless v is an articulation point (a cut vertex).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.

    Returns
    -------
    numpy.ndarray
        float64, one score per vertex index.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not an igraph graph.

    Notes
    -----
    One iterative Tarjan depth-first search with subtree sizes: a child
    subtree c of v is cut off by removing v when ``low[c] >= disc[v]``.
    O(n + m) time and memory (Hopcroft & Tarjan 1973,
    doi:10.1145/362248.362272).

    References
    ----------
    J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for graph
    manipulation", Commun. ACM 16(6), 372-378 (1973). doi:10.1145/362248.362272

    Examples
    --------
    A path 0-1-2-3-4: the middle node cuts off two nodes, its neighbours one.

    >>> articulation_scores(ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4)])).tolist()
    [0.0, 1.0, 2.0, 1.0, 0.0]
    """
    check_graph(graph, "articulation_scores")
    indptr, indices = csr_arrays(graph)
    n = len(indptr) - 1
    ip = indptr.tolist()
    ind = indices.tolist()
    disc = [-1] * n
    low = [0] * n
    sub = [1] * n
    sepsum = [0] * n
    sepmax = [0] * n
    parent = [-1] * n
    ptr = ip[:-1]
    score = np.zeros(n, dtype=np.float64)
    t = 0
    for r in range(n):
        if disc[r] != -1 or ip[r] == ip[r + 1]:
            continue
        disc[r] = low[r] = t
        t += 1
        stack = [r]
        comp = []
        while stack:
            v = stack[-1]
            if ptr[v] < ip[v + 1]:
                u = ind[ptr[v]]
                ptr[v] += 1
                if disc[u] == -1:
                    parent[u] = v
                    disc[u] = low[u] = t
                    t += 1
                    stack.append(u)
                elif u != parent[v] and disc[u] < low[v]:
                    low[v] = disc[u]
            else:
                stack.pop()
                comp.append(v)
                p = parent[v]
                if p >= 0:
                    if low[v] < low[p]:
                        low[p] = low[v]
                    sub[p] += sub[v]
                    if low[v] >= disc[p]:
                        sepsum[p] += sub[v]
                        if sub[v] > sepmax[p]:
                            sepmax[p] = sub[v]
        c = len(comp) - 1
        for v in comp:
            rest = c - sepsum[v]
            score[v] = c - max(sepmax[v], rest)
    return score


@register_strategy("articulation")
def articulation_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    block_fraction: float | None = None,
) -> pd.DataFrame:
    """Remove articulation points first, by how many nodes each cuts off its component's main piece.

    The score of a node is the number of nodes that its removal separates from
    the largest remaining piece of its component: zero unless the node is an
    articulation point (a cut vertex). Every endpoint of a bridge that is not a
    leaf is an articulation point, so bridges are covered; a leaf cuts off
    nothing. Scores are recomputed after each block of removals; when no
    articulation point is left, adaptive degree completes the order.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`~crimnet.graphs.disrupt.attacks.random_ranking`; the score is divided by the cost.
    block_fraction : float in (0, 1], optional
        Scores are recomputed after every ``ceil(block_fraction * n)`` removals;
        default from the graph's size and the budget, one node at a time on
        investigative-size networks
        (:meth:`~crimnet.graphs.disrupt.ordering.OrderingContext.block_size`;
        recorded in ``ranking.attrs['block']``).

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'articulation'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    One Tarjan depth-first search with subtree sizes per block: O((n + m) /
    block_fraction) (Hopcroft & Tarjan 1973, doi:10.1145/362248.362272).
    Articulation points are single points of failure of a criminal network,
    e.g. the brokers of Morselli (2009), doi:10.1007/978-0-387-09526-4.

    Examples
    --------
    A path 0-1-2-3-4: the middle node cuts off two nodes, its neighbours one.

    >>> articulation_ranking(ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4)]), budget=1)["node_id"].tolist()
    [2]
    """
    func = "articulation_ranking"
    ctx = prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    # one recomputation walks the biconnected components in Python: about 300 steps per node and edge (0.1 s at 68k)
    block = ctx.block_size(block_fraction, work=300.0 * (ctx.n + len(ctx.indices) // 2))
    order = ctx.block_adaptive_order(lambda g, alive: articulation_scores(g), block=block)
    return ctx.finish(order, "articulation", block=block)


# ---------------------------------------------------------------------------- collective influence


def _adjacency(indptr: np.ndarray, indices: np.ndarray) -> csr_matrix:
    """The float64 adjacency matrix of CSR arrays."""
    n = len(indptr) - 1
    return csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(n, n))


def _ci_values(a: csr_matrix, rows: np.ndarray, alive: np.ndarray, deg: np.ndarray, ell: int) -> np.ndarray:
    """CI_ell of `rows` in the graph of `alive` nodes: (k_i - 1) * sum over the ball boundary of (k_j - 1)."""
    n = a.shape[0]
    ns = len(rows)
    alive_f = alive.astype(np.float64)
    ident = csr_matrix((np.ones(ns), (np.arange(ns), rows)), shape=(ns, n))
    frontier = a[rows].multiply(alive_f[None, :]).tocsr()
    frontier.eliminate_zeros()  # masked (dead) columns may stay as explicit zeros
    frontier.data[:] = 1.0
    visited = (ident + frontier).tocsr()
    visited.data[:] = 1.0
    for _ in range(ell - 1):
        nxt = (frontier @ a).multiply(alive_f[None, :]).tocsr()
        nxt.eliminate_zeros()
        nxt.data[:] = 1.0
        nxt = (nxt - nxt.multiply(visited)).tocsr()
        nxt.eliminate_zeros()
        visited = (visited + nxt).tocsr()
        frontier = nxt
    km1 = np.where(alive, deg - 1.0, 0.0)
    km1 = np.maximum(km1, 0.0)
    return km1[rows] * np.asarray(frontier @ km1).ravel()


def _initial_ci(a: csr_matrix, deg: np.ndarray, ell: int) -> np.ndarray:
    """CI_ell of every node of the intact graph, in row chunks that bound the size of the ball matrices."""
    n = a.shape[0]
    alive = np.ones(n, dtype=bool)
    ci = np.zeros(n)
    chunk = max(1, 2_000_000 // max(1, int(deg.mean() ** 2) + 1))
    for s in range(0, n, chunk):
        rows = np.arange(s, min(n, s + chunk))
        ci[rows] = _ci_values(a, rows, alive, deg, ell)
    return ci


def _ball(
    v: int, indptr: np.ndarray, indices: np.ndarray, alive: np.ndarray, mark: np.ndarray, radius: int
) -> np.ndarray:
    """The alive nodes within `radius` hops of `v`, `v` excluded (`mark`: all-False scratch, left all False)."""
    ball = [np.array([v])]
    mark[v] = True
    frontier = ball[0]
    for _ in range(radius):
        nb = (
            np.concatenate([indices[indptr[u] : indptr[u + 1]] for u in frontier.tolist()])
            if len(frontier)
            else frontier
        )
        nb = np.unique(nb)
        nb = nb[alive[nb] & ~mark[nb]]
        if not len(nb):
            break
        mark[nb] = True
        ball.append(nb)
        frontier = nb
    allb = np.concatenate(ball)
    mark[allb] = False
    return allb[1:]


def collective_influence(graph: ig.Graph, *, ell: int = 2, removed: Iterable[Any] | None = None) -> np.ndarray:
    """Return the collective influence CI_ell of every node, optionally with some nodes removed.

    ``CI_ell(i) = (k_i - 1) * sum_{j : d(i, j) = ell} (k_j - 1)``, with ``k``
    the degrees and ``d`` the hop distances in the graph without the
    `removed` nodes (Morone & Makse 2015); removed nodes score 0.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    ell : int, default 2
        Radius of the ball (``ell >= 1``).
    removed : iterable of node ids, optional
        Nodes taken out of the graph first (default none).

    Returns
    -------
    numpy.ndarray
        float64, one value per vertex index.

    Raises
    ------
    crimnet.errors.ParameterError
        On a bad graph or `ell`, or unknown removed nodes.

    Notes
    -----
    Sparse matrix products over the balls of radius `ell`: O(n * b) for
    balls of b nodes, plus O(m log m) for the adjacency.

    References
    ----------
    F. Morone and H. A. Makse, "Influence maximization in complex networks
    through optimal percolation", Nature 524, 65-68 (2015).
    doi:10.1038/nature14604

    Examples
    --------
    A path 0-1-2-3-4-5-6:

    >>> collective_influence(ig.Graph.Ring(7, circular=False)).tolist()
    [0.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.0]
    >>> collective_influence(ig.Graph.Ring(7, circular=False), removed=[3]).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    func = "collective_influence"
    check_graph(graph, func)
    check_interval(ell, param="ell", func=func, low=1, closed="left", integer=True)
    alive = np.ones(graph.vcount(), dtype=bool)
    if removed is not None:
        alive[node_index(graph, removed, param="removed", func=func)] = False
    a = _adjacency(*csr_arrays(graph))
    deg = np.asarray(a @ alive.astype(np.float64)).ravel() * alive
    return _ci_values(a, np.arange(graph.vcount()), alive, deg, ell)


@register_strategy("collective_influence", weights="strength")
def collective_influence_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    ell: int = 2,
    weights: str = "ignore",
    ties: str = "seeded",
    block_fraction: float | None = None,
) -> pd.DataFrame:
    """Remove the node of highest collective influence, adaptively (Morone & Makse 2015).

    ``CI_ell(i) = (k_i - 1) * sum_{j : d(i, j) = ell} (k_j - 1)``, with ``k``
    the current degrees. After each removal the CI of the nodes within
    distance ``ell + 1`` of the removed node is recomputed; a lazy max-heap
    keyed by (CI / cost, degree / cost) picks the next node. When every CI is
    zero (the graph has no path of length ``ell + 1`` through a node of
    degree >= 2), adaptive degree completes the order; ties on CI go to the
    higher degree, so a star's hub goes first (with ``ties='seeded'``).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`~crimnet.graphs.disrupt.attacks.random_ranking`.
    ell : int, default 2
        Radius of the ball (``ell >= 1``). Cavallaro et al. (2020) use ``ell = 1``:
        ``(k_i - 1)`` times the sum of ``(k_j - 1)`` over the neighbours.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths*: ``k`` is then the weighted degree (the ball is still
        counted in hops), so a distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        CI ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order') or last ('last', as
        Cavallaro et al.'s code) vertex in the graph's order.
    block_fraction : float in (0, 1], optional
        Recompute every CI only after every ``ceil(block_fraction * n)``
        removals (recorded in ``ranking.attrs['block']``; Cavallaro et al.'s
        block attack removes 5 nodes a time). Default: after every removal,
        by the local updates below.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'collective_influence'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    The initial CI of all nodes and each update are sparse matrix products
    over the ball (vectorised, in row chunks). With bounded degrees each
    update touches O(1) nodes, so the whole order costs O(n log n) (Morone &
    Makse); hubs make balls large, and each update carries a fixed scipy
    overhead of about a millisecond.

    References
    ----------
    F. Morone and H. A. Makse, "Influence maximization in complex networks
    through optimal percolation", Nature 524, 65-68 (2015).
    doi:10.1038/nature14604

    Examples
    --------
    A path 0-1-2-3-4-5-6: ``CI_2(3) = (2-1) * ((k_1-1) + (k_5-1)) = 2``,
    ``CI_2(2) = (k_0-1) + (k_4-1) = 1``, ``CI_2(1) = k_3-1 = 1`` and the
    ends score 0, so the middle goes first.

    >>> g = ig.Graph.Ring(7, circular=False)
    >>> collective_influence_ranking(g, budget=1)["node_id"].tolist()
    [3]
    """
    func = "collective_influence_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    check_interval(ell, param="ell", func=func, low=1, closed="left", integer=True)
    n = ctx.n
    a = _adjacency(ctx.indptr, ctx.indices)
    if block_fraction is not None:
        block = ctx.block_size(block_fraction)
        blocks = ctx.block_adaptive_order(_block_ci_fn(a, ell), block=block)
        return ctx.finish(blocks, "collective_influence", ell=ell, block=block, weights=weights)
    alive = np.ones(n, dtype=bool)
    deg = ctx.node_strength
    tie_strength = np.ones(len(ctx.indices)) if ctx.strength is None else ctx.strength
    ci = _initial_ci(a, deg, ell)
    cost = ctx.cost
    tb = ctx.tiebreak.tolist()
    # with 'order' or 'last' a CI tie goes straight to the vertex's position, as in the published code
    second = -deg / cost if ties == "seeded" else np.zeros(n)
    version = [0] * n
    heap = [(-ci[v] / cost[v], second[v], tb[v], v, 0) for v in range(n)]
    heapq.heapify(heap)
    order: list[int] = []
    mark = np.zeros(n, dtype=bool)
    ip, ind = ctx.indptr, ctx.indices
    stop = ctx.stop
    while heap and len(order) < stop:
        key, _, _, v, ver = heapq.heappop(heap)
        if not alive[v] or ver != version[v]:
            continue
        if key >= 0:  # no CI left: finish by adaptive degree
            break
        upd = _ball(v, ip, ind, alive, mark, ell + 1)  # whose CI changes, found before removal
        alive[v] = False
        order.append(v)
        deg[ind[ip[v] : ip[v + 1]]] -= tie_strength[ip[v] : ip[v + 1]]
        deg[v] = 0
        upd = upd[alive[upd]]
        if len(upd):
            ci[upd] = _ci_values(a, upd, alive, deg, ell)
            for u, c_u, d_u in zip(upd.tolist(), ci[upd].tolist(), deg[upd].tolist(), strict=True):
                version[u] += 1
                d_key = -d_u / cost[u] if ties == "seeded" else 0.0
                heapq.heappush(heap, (-c_u / cost[u], d_key, tb[u], u, version[u]))
    return ctx.finish(ctx.complete(order), "collective_influence", ell=ell, weights=weights)


def _block_ci_fn(a: csr_matrix, ell: int) -> ScoreFunction:
    """CI_ell of every node of a working graph (current degree or strength; the ball in hops of `a`)."""

    def score(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
        strength = g.es["strength"] if "strength" in g.es.attributes() else None
        deg = np.asarray(g.strength(weights=strength), dtype=np.float64)
        return _ci_values(a, np.arange(g.vcount()), alive, deg, ell)

    return score


# ---------------------------------------------------------------------------- CoreHD and decycling


def _components_without(ctx: OrderingContext, removed: np.ndarray) -> np.ndarray:
    """Component label of each vertex in the graph without the `removed` vertices (a mask); -1 for those."""
    n = ctx.n
    src = np.repeat(np.arange(n), np.diff(ctx.indptr))
    keep = ~removed[src] & ~removed[ctx.indices]
    adj = csr_matrix((np.ones(int(keep.sum())), (src[keep], ctx.indices[keep])), shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    return np.where(removed, -1, lab)


def _corehd_decycle(ctx: OrderingContext, stop: int) -> tuple[list[int], np.ndarray]:
    """CoreHD: remove the highest-degree (per cost) node of the 2-core until the 2-core is empty."""
    n = ctx.n
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    cost = ctx.cost.tolist()
    tb = ctx.tiebreak.tolist()
    coreness = np.asarray(ctx.working_graph().coreness())
    in_core = (coreness >= 2).tolist()
    deg = [0] * n
    for v in range(n):
        if in_core[v]:
            deg[v] = sum(1 for j in range(ip[v], ip[v + 1]) if in_core[ind[j]])
    heap = [(-deg[v] / cost[v], tb[v], v) for v in range(n) if in_core[v]]
    heapq.heapify(heap)
    removed = np.zeros(n, dtype=bool)
    order: list[int] = []
    while heap and len(order) < stop:
        key, _, v = heapq.heappop(heap)
        if not in_core[v] or key != -deg[v] / cost[v]:
            continue
        in_core[v] = False
        removed[v] = True
        order.append(v)
        queue = [v]
        while queue:  # peel nodes whose core degree fell below 2
            x = queue.pop()
            for j in range(ip[x], ip[x + 1]):
                u = ind[j]
                if in_core[u]:
                    deg[u] -= 1
                    if deg[u] < 2:
                        in_core[u] = False
                        queue.append(u)
                    else:
                        heapq.heappush(heap, (-deg[u] / cost[u], tb[u], u))
    return order, removed


def _tree_break(ctx: OrderingContext, order: list[int], removed: np.ndarray, stop: int) -> list[int]:
    """Break the remaining forest: remove the centroid of the largest tree until all trees are single nodes."""
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    alive = (~removed).tolist()
    lab = _components_without(ctx, removed)
    nodes = np.flatnonzero(~removed)
    srt = nodes[np.argsort(lab[nodes], kind="stable")]
    bounds = np.flatnonzero(np.diff(lab[srt])) + 1
    heap = []
    for members in np.split(srt, bounds):
        if len(members) > 1:
            heap.append((-len(members), ctx.tiebreak[members[0]], members[0].item()))
    heapq.heapify(heap)
    tb = ctx.tiebreak.tolist()
    while heap and len(order) < stop:
        size, _, start = heapq.heappop(heap)
        # BFS the tree from start
        bfs = [start]
        par = {start: -1}
        for x in bfs:
            for j in range(ip[x], ip[x + 1]):
                u = ind[j]
                if alive[u] and u not in par:
                    par[u] = x
                    bfs.append(u)
        total = len(bfs)
        sub = dict.fromkeys(bfs, 1)
        maxchild = dict.fromkeys(bfs, 0)
        for x in reversed(bfs):
            p = par[x]
            if p >= 0:
                sub[p] += sub[x]
                if sub[x] > maxchild[p]:
                    maxchild[p] = sub[x]
        best = min(bfs, key=lambda x: (max(total - sub[x], maxchild[x]), tb[x]))
        alive[best] = False
        order.append(best)
        for j in range(ip[best], ip[best + 1]):
            u = ind[j]
            if alive[u]:
                # size of u's piece: its subtree, or the rest when u is the parent side
                piece = sub[u] if par.get(u) == best else total - sub[best]
                if piece > 1:
                    heapq.heappush(heap, (-piece, tb[u], u))
    return order


def _corehd_order(ctx: OrderingContext) -> list[int]:
    """Decycling, then tree breaking, then adaptive degree, up to the context's stop."""
    order, removed = _corehd_decycle(ctx, ctx.stop)
    order = _tree_break(ctx, order, removed, ctx.stop)
    return ctx.complete(order)


@register_strategy("corehd")
def corehd_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
) -> pd.DataFrame:
    """Decycle with CoreHD, then break the remaining trees at their centroids.

    CoreHD repeatedly removes the node of highest degree (per unit cost)
    *within the 2-core*, re-peeling the 2-core after each removal, until the
    2-core is empty: the graph is then a forest. Tree breaking then removes the
    centroid of the largest tree (the node whose largest remaining piece is
    smallest) until every tree is a single node.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`~crimnet.graphs.disrupt.attacks.random_ranking`.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'corehd'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    Decycling is O((n + m) log n) with a lazy heap; tree breaking is
    O(n log n) (each centroid at least halves its tree).

    References
    ----------
    L. Zdeborová, P. Zhang and H.-J. Zhou, "Fast and simple decycling and
    dismantling of networks", Sci. Rep. 6, 37954 (2016). doi:10.1038/srep37954

    Examples
    --------
    Two triangles sharing node 0: it is the 2-core's highest-degree node.

    >>> g = ig.Graph([(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0)])
    >>> corehd_ranking(g, budget=1)["node_id"].tolist()
    [0]
    """
    ctx = prepare(graph, "corehd_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return ctx.finish(_corehd_order(ctx), "corehd")


def _dismantling_set(ctx: OrderingContext, cap: int) -> list[int]:
    """The shortest prefix of the full CoreHD order after which no component has more than `cap` nodes."""
    core = _corehd_order(ctx.unbudgeted())
    curve = robustness_curve(ctx.working_graph(), core)
    lcc = np.rint(curve["lcc_fraction"].to_numpy() * ctx.n).astype(np.int64)
    return core[: int(np.argmax(lcc <= cap))]


def _reinsert(ctx: OrderingContext, dset: list[int], cap: int) -> list[int]:
    """Greedily put back nodes of `dset` that join the smallest component, while it stays at most `cap` nodes.

    Returns the reinserted nodes in reinsertion order. Union-find over the
    components of the graph without `dset`: their labels are the ids
    ``0 .. n-1``, and node v of `dset` gets the id ``n + v``.
    """
    n = ctx.n
    removed = np.zeros(n, dtype=bool)
    removed[dset] = True
    lab = _components_without(ctx, removed)
    counts = np.bincount(lab[~removed], minlength=n)
    parent = list(range(2 * n))
    size = counts.tolist() + [0] * n
    node_root = lab.copy()
    node_root[dset] = n + np.asarray(dset, dtype=np.int64)
    node_root_l = node_root.tolist()
    pres = (~removed).tolist()
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    cost = ctx.cost.tolist()
    tb = ctx.tiebreak.tolist()

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def joined(v: int) -> int:
        roots = {find(node_root_l[ind[j]]) for j in range(ip[v], ip[v + 1]) if pres[ind[j]]}
        return 1 + sum(size[r] for r in roots)

    heap = [(joined(v), -cost[v], tb[v], v) for v in dset]
    heapq.heapify(heap)
    reinserted: list[int] = []
    while heap:
        sz, c, t, v = heapq.heappop(heap)
        cur = joined(v)
        if cur > sz:
            heapq.heappush(heap, (cur, c, t, v))
            continue
        if cur > cap:
            continue
        rv = node_root_l[v]
        pres[v] = True
        size[rv] = 1
        for j in range(ip[v], ip[v + 1]):
            u = ind[j]
            if pres[u] and u != v:
                ru, r = find(node_root_l[u]), find(rv)
                if ru != r:
                    if size[ru] > size[r]:
                        ru, r = r, ru
                    parent[ru] = r
                    size[r] += size[ru]
        reinserted.append(v)
    return reinserted


@register_strategy("decycling_reinsertion")
def decycling_reinsertion_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    target_fraction: float = 0.01,
) -> pd.DataFrame:
    """Dismantle by decycling, tree breaking and greedy reinsertion (Braunstein et al. 2016).

    1. Decycle and break trees with :func:`corehd_ranking` (the fast decycler
       the paper compares with its min-sum message passing) until the largest
       component has at most ``C = max(1, floor(target_fraction * n))`` nodes:
       that prefix is the dismantling set S.
    2. Greedy reinsertion: put back, one at a time, the node of S that would
       join the smallest component (ties: the more costly node first), as
       long as that component has at most C nodes. Costs only grow, so a lazy
       min-heap is exact.
    3. The removal order is the nodes left in S (in CoreHD order), then the
       reinserted nodes last-reinserted first, then adaptive degree.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`~crimnet.graphs.disrupt.attacks.random_ranking`.
    target_fraction : float in (0, 1], default 0.01
        Largest component size that counts as dismantled, as a share of n.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'decycling_reinsertion'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    CoreHD O((n + m) log n), one union-find pass to find S, reinsertion
    O(|S| d log |S|) with union-find.

    References
    ----------
    A. Braunstein, L. Dall'Asta, G. Semerjian and L. Zdeborová, "Network
    dismantling", PNAS 113(44), 12368-12373 (2016). doi:10.1073/pnas.1605083113

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0)])
    >>> decycling_reinsertion_ranking(g, budget=1)["node_id"].tolist()
    [0]
    """
    func = "decycling_reinsertion_ranking"
    ctx = prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_interval(target_fraction, param="target_fraction", func=func, low=0, high=1, closed="right")
    cap = max(1, int(target_fraction * ctx.n))
    kept, reinserted = greedy_reinsertion(ctx, _dismantling_set(ctx, cap), cap)
    prefix = kept + reinserted[::-1]
    return ctx.finish(ctx.complete(prefix), "decycling_reinsertion", target_fraction=target_fraction)


def greedy_reinsertion(ctx: OrderingContext, dset: Sequence[int], cap: int) -> tuple[list[int], list[int]]:
    """Split a dismantling set by greedy reinsertion into the nodes that stay removed and those put back.

    Greedy reinsertion (Braunstein et al. 2016; the R of GNDR, Ren et al. 2019) puts back, one at a time, the
    node of `dset` that would join the smallest component (ties: the more costly node first, as putting it
    back saves the most), as long as that component has at most `cap` nodes.

    Parameters
    ----------
    ctx : OrderingContext
        The strategy call (:func:`~crimnet.graphs.disrupt.ordering.prepare`): graph, costs, tie-break.
    dset : sequence of int
        Vertex indices whose removal leaves no component above `cap` nodes, in removal order.
    cap : int
        Largest component size that counts as dismantled (>= 1).

    Returns
    -------
    kept : list of int
        The nodes of `dset` that stay removed, in `dset`'s order: removing them alone still leaves no
        component above `cap` nodes.
    reinserted : list of int
        The others, in reinsertion order (a removal order lists them last reinserted first).

    Raises
    ------
    crimnet.errors.ParameterError
        If `ctx` is not an :class:`~crimnet.graphs.disrupt.ordering.OrderingContext` or `cap` is below 1.

    Notes
    -----
    One component labelling, then O(|dset| d log |dset|) with union-find and a lazy min-heap (a node's
    joined size only grows, so the heap is exact).

    Examples
    --------
    A path 0-1-2-3-4 cut at 1 and 3 leaves singletons; with pieces of up to 3 nodes allowed, 3 goes back
    (it joins 2 and 4: 3 nodes), and then 1 cannot (it would join 0 and 2-3-4: 5 nodes).

    >>> from crimnet.graphs.disrupt.ordering import prepare
    >>> greedy_reinsertion(prepare(ig.Graph.Ring(5, circular=False), "demo"), [1, 3], 3)
    ([1], [3])
    """
    check_type(ctx, OrderingContext, param="ctx", func="greedy_reinsertion", expected="an OrderingContext")
    check_interval(cap, param="cap", func="greedy_reinsertion", low=1, closed="left", integer=True)
    dset = list(dset)
    reinserted = _reinsert(ctx, dset, cap)
    back = set(reinserted)
    return [v for v in dset if v not in back], reinserted
