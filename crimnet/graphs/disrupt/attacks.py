"""Centrality attacks: remove nodes by degree, betweenness or PageRank, once or recomputed as they go.

The classic targeted attacks of network robustness studies, and the random
floor every strategy must beat. A *static* attack sorts the nodes once by
their score on the intact graph; an *adaptive* one recomputes the score after
each removal (degree) or each block of removals (betweenness, PageRank), which
is stronger (Holme et al. 2002). Every strategy here has the signature of
:mod:`crimnet.graphs.disrupt` and is registered under the name in its
``strategy`` column.

References
----------
.. [1] R. Albert, H. Jeong and A.-L. Barabási, "Error and attack tolerance of
   complex networks", Nature 406, 378-382 (2000). doi:10.1038/35019019
.. [2] P. Holme, B. J. Kim, C. N. Yoon and S. K. Han, "Attack vulnerability of
   complex networks", Phys. Rev. E 65, 056109 (2002).
   doi:10.1103/PhysRevE.65.056109
"""

from __future__ import annotations

from collections.abc import Mapping

import igraph as ig
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, identity
from scipy.sparse.linalg import spsolve

from crimnet.errors import check_interval
from crimnet.graphs.arrays import csr_arrays
from crimnet.graphs.disrupt.ordering import OrderingContext, ScoreFunction, prepare
from crimnet.graphs.disrupt.registry import register_strategy

__all__ = [
    "betweenness_adaptive_ranking",
    "betweenness_ranking",
    "degree_adaptive_ranking",
    "degree_ranking",
    "katz_adaptive_ranking",
    "katz_ranking",
    "pagerank_adaptive_ranking",
    "pagerank_ranking",
    "random_ranking",
]


@register_strategy("random")
def random_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
) -> pd.DataFrame:
    """Remove nodes in a uniformly random order: the floor every strategy must beat.

    Parameters
    ----------
    graph : igraph.Graph
        Any graph; treated as undirected.
    budget : int, optional
        Keep only the first `budget` nodes (default: every node).
    seed : int, default 0
        Seed of the permutation.
    costs : mapping of str to float, optional
        Cost of action per node label; used only by `budget_cost` (a random
        order ignores costs).
    budget_cost : float, optional
        Keep the longest prefix whose total cost is at most this.

    Returns
    -------
    pandas.DataFrame
        ``ranking``: rank (int64, 1-based), node_id (vertex name or index),
        label (string, NA when unlabelled), strategy (str, ``'random'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On a bad graph, budget, seed or costs.

    Notes
    -----
    O(n) time and memory.

    Examples
    --------
    >>> r = random_ranking(ig.Graph.Ring(5), seed=1)
    >>> sorted(r["node_id"].tolist())
    [0, 1, 2, 3, 4]
    """
    ctx = prepare(graph, "random_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return ctx.finish(ctx.tiebreak.argsort(), "random")


@register_strategy("degree", weights="strength")
def degree_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
) -> pd.DataFrame:
    """Remove nodes by their initial degree (per unit cost), highest first.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; ties are broken by a permutation seeded by
        `seed`; with `costs` the score is degree / cost.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths* (weighted degree), so a distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'degree'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    O(m + n log n). The classic targeted attack of Albert, Jeong & Barabási
    (2000), doi:10.1038/35019019.

    Examples
    --------
    >>> degree_ranking(ig.Graph.Star(5), budget=1)["node_id"].tolist()
    [0]
    """
    ctx = prepare(
        graph,
        "degree_ranking",
        budget=budget,
        seed=seed,
        costs=costs,
        budget_cost=budget_cost,
        weights=weights,
        ties=ties,
    )
    return ctx.finish(ctx.static_order(ctx.node_strength), "degree", weights=weights)


@register_strategy("degree_adaptive", weights="strength")
def degree_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    block_fraction: float | None = None,
) -> pd.DataFrame:
    """Repeatedly remove the node of highest *current* degree (per unit cost).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths* (current weighted degree), so a distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.
    block_fraction : float in (0, 1], optional
        Recompute the degrees only after every ``ceil(block_fraction * n)``
        removals (recorded in ``ranking.attrs['block']``; the block attacks of
        Cavallaro et al. 2020 remove 5 nodes a time). Default: after every removal.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'degree_adaptive'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    A lazy max-heap of degree / cost, updated for the neighbours of each
    removed node: O((n + m) log n) time, O(n + m) memory. Adaptive (recomputed)
    attacks are stronger than static ones: Holme, Kim, Yoon & Han (2002),
    doi:10.1103/PhysRevE.65.056109.

    Examples
    --------
    Two stars joined hub to hub: both hubs go first.

    >>> g = ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (4, 5), (4, 6), (4, 7)])
    >>> sorted(degree_adaptive_ranking(g, budget=2)["node_id"].tolist())
    [0, 4]
    """
    ctx = prepare(
        graph,
        "degree_adaptive_ranking",
        budget=budget,
        seed=seed,
        costs=costs,
        budget_cost=budget_cost,
        weights=weights,
        ties=ties,
    )
    if block_fraction is None:
        return ctx.finish(ctx.degree_adaptive_order(), "degree_adaptive", weights=weights)
    block = ctx.block_size(block_fraction)
    order = ctx.block_adaptive_order(_current_strength, block=block)
    return ctx.finish(order, "degree_adaptive", block=block, weights=weights)


def _current_strength(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
    """Degree (strength, in a weighted run) of every node in the working graph."""
    return np.asarray(_strength_adjacency(g).sum(axis=1)).ravel()


# ---------------------------------------------------------------------------- betweenness


def _betweenness_fn(ctx: OrderingContext, exact_max_nodes: int, samples: int) -> ScoreFunction:
    """Betweenness of the remaining graph: exact up to `exact_max_nodes` active nodes, else from `samples` pivots."""
    rng = np.random.default_rng(ctx.seed)

    def score(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
        length = "length" if "length" in g.es.attributes() else None  # a weighted run: strong ties are short
        active = np.flatnonzero(alive & (np.asarray(g.degree()) > 0))
        if len(active) <= exact_max_nodes:
            return np.asarray(g.betweenness(directed=False, weights=length))
        pivots = rng.choice(active, size=min(samples, len(active)), replace=False)
        return np.asarray(g.betweenness(directed=False, sources=pivots.tolist(), weights=length))

    return score


@register_strategy("betweenness", weights="distance")
def betweenness_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    exact_max_nodes: int = 5000,
    samples: int = 256,
) -> pd.DataFrame:
    """Remove nodes by their initial betweenness (per unit cost), ties by degree.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; `seed` also draws the pivots.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *distances* (shortest paths), so a strength ``w`` counts as length
        ``1 / w`` (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted
        hop counts, as Cavallaro et al. (2020).
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.
    exact_max_nodes : int, default 5000
        Up to this many non-isolated nodes, betweenness is exact (Brandes).
    samples : int, default 256
        Above it, betweenness is estimated from shortest paths out of this
        many random pivot sources (Brandes & Pich 2007).

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'betweenness'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    Exact: O(n m) time; sampled: O(samples * m). Brokers who bridge groups
    score high; see Freeman (1977), doi:10.2307/3033543, and Brandes & Pich
    (2007), doi:10.1142/S0218127407018403.

    Examples
    --------
    A barbell (two triangles joined by the bridge 2-3): the bridge ends first.

    >>> g = ig.Graph([(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (3, 5), (4, 5)])
    >>> sorted(betweenness_ranking(g, budget=2)["node_id"].tolist())
    [2, 3]
    """
    func = "betweenness_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    check_interval(exact_max_nodes, param="exact_max_nodes", func=func, low=0, closed="left", integer=True)
    check_interval(samples, param="samples", func=func, low=1, closed="left", integer=True)
    score = _betweenness_fn(ctx, exact_max_nodes, samples)(ctx.working_graph(), np.ones(ctx.n, bool))
    order = ctx.static_order(score, secondary=ctx.degree.astype(float))
    return ctx.finish(order, "betweenness", exact_max_nodes=exact_max_nodes, samples=samples, weights=weights)


@register_strategy("betweenness_adaptive", weights="distance")
def betweenness_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    block_fraction: float | None = None,
    exact_max_nodes: int = 5000,
    samples: int = 256,
) -> pd.DataFrame:
    """Remove the highest-betweenness nodes, recomputing betweenness after each block of removals.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *distances* (shortest paths), so a strength ``w`` counts as length
        ``1 / w`` (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted
        hop counts, as Cavallaro et al. (2020).
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.
    block_fraction : float in (0, 1], optional
        Betweenness is recomputed after every ``ceil(block_fraction * n)``
        removals. Default: from the graph's size and the budget
        (:meth:`~crimnet.graphs.disrupt.ordering.OrderingContext.block_size`
        with ``n (n + m)`` steps a recomputation, or ``samples (n + m)``):
        one node at a time for a full order up to about 700 nodes and for
        short budgets, which is the sequential attack of Cavallaro et al.
        (2020); the block used is recorded in ``ranking.attrs['block']``.
    exact_max_nodes, samples : int
        Exact below `exact_max_nodes` non-isolated nodes, else pivot-sampled
        (see :func:`betweenness_ranking`).

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'betweenness_adaptive'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    Recomputing after every single removal costs O(n^2 m); in blocks of a
    fraction f of n it costs O(m * min(n, samples) / f) until the graph has
    no path left, after which adaptive degree completes the order. Holme et
    al. (2002), doi:10.1103/PhysRevE.65.056109, found recomputed betweenness
    the strongest of the classic attacks.

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (0, 2), (1, 2), (2, 3), (3, 4), (3, 5), (4, 5)])
    >>> betweenness_adaptive_ranking(g, budget=1)["node_id"].tolist() in ([2], [3])
    True
    """
    func = "betweenness_adaptive_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    check_interval(exact_max_nodes, param="exact_max_nodes", func=func, low=0, closed="left", integer=True)
    check_interval(samples, param="samples", func=func, low=1, closed="left", integer=True)
    sources = ctx.n if ctx.n <= exact_max_nodes else min(ctx.n, samples)  # a recomputation: one search per source
    block = ctx.block_size(block_fraction, work=sources * (ctx.n + len(ctx.indices) // 2))
    order = ctx.block_adaptive_order(_betweenness_fn(ctx, exact_max_nodes, samples), block=block)
    return ctx.finish(order, "betweenness_adaptive", block=block, samples=samples, weights=weights)


# ---------------------------------------------------------------------------- PageRank


def _strength_adjacency(g: ig.Graph) -> csr_matrix:
    """The symmetric sparse adjacency of a working graph: tie strengths in a weighted run, else ones."""
    n = g.vcount()
    if "strength" in g.es.attributes():
        e = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
        w = np.asarray(g.es["strength"], dtype=np.float64)
        return csr_matrix((np.concatenate([w, w]), (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))
    ip, ind = csr_arrays(g)
    return csr_matrix((np.ones(len(ind)), ind, ip), shape=(n, n))


def _pagerank(g: ig.Graph, alive: np.ndarray, *, damping: float = 0.85, tol: float = 1e-9) -> np.ndarray:
    """Undirected PageRank by power iteration on the sparse adjacency (dangling mass spread uniformly).

    Vectorised scipy matvecs: igraph's PRPACK is slow on the many isolated
    vertices that an adaptive removal leaves behind. In a weighted run a walker
    follows a tie in proportion to its strength.
    """
    n = g.vcount()
    a = _strength_adjacency(g)
    deg = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros(n), where=deg > 0)
    dangling = deg == 0
    x = np.full(n, 1.0 / n)
    for _ in range(200):
        nxt = damping * (a @ (x * inv)) + (damping * x[dangling].sum() + 1.0 - damping) / n
        if np.abs(nxt - x).sum() < tol:
            return nxt
        x = nxt
    return x


@register_strategy("pagerank", weights="strength")
def pagerank_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
) -> pd.DataFrame:
    """Remove nodes by their initial PageRank (damping 0.85, per unit cost).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths* (a walker follows a tie in proportion to its strength), so a
        distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'pagerank'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    Power iteration with sparse matrix-vector products, O(n + m) per
    iteration (tolerance 1e-9 in L1, at most 200 iterations); dangling
    (isolated) nodes spread their rank uniformly, as in igraph. Brin & Page
    (1998), doi:10.1016/S0169-7552(98)00110-X.

    Examples
    --------
    >>> pagerank_ranking(ig.Graph.Star(6), budget=1)["node_id"].tolist()
    [0]
    """
    ctx = prepare(
        graph,
        "pagerank_ranking",
        budget=budget,
        seed=seed,
        costs=costs,
        budget_cost=budget_cost,
        weights=weights,
        ties=ties,
    )
    score = _pagerank(ctx.working_graph(), np.ones(ctx.n, bool))
    return ctx.finish(ctx.static_order(score, secondary=ctx.degree.astype(float)), "pagerank", weights=weights)


@register_strategy("pagerank_adaptive", weights="strength")
def pagerank_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    block_fraction: float | None = None,
) -> pd.DataFrame:
    """Remove the highest-PageRank nodes, recomputing PageRank after each block of removals.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths* (a walker follows a tie in proportion to its strength), so a
        distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        Score ties go to the higher degree, then to a permutation seeded by
        `seed` ('seeded'), or to the first ('order', as networkx's ``max``) or
        last ('last', as Cavallaro et al.'s code) vertex in the graph's order:
        these two reproduce published sequences.
    block_fraction : float in (0, 1], optional
        PageRank is recomputed after every ``ceil(block_fraction * n)`` removals;
        default from the graph's size and the budget, as
        :func:`betweenness_adaptive_ranking` (recorded in ``ranking.attrs['block']``).

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'pagerank_adaptive'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    O((n + m) / block_fraction) times the power-iteration count, until no
    edge is left; then adaptive degree completes the order.

    Examples
    --------
    >>> pagerank_adaptive_ranking(ig.Graph.Star(6), budget=1)["node_id"].tolist()
    [0]
    """
    func = "pagerank_adaptive_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    # a recomputation: a few hundred sparse passes in scipy (power iteration)
    block = ctx.block_size(block_fraction, work=300.0 * (ctx.n + len(ctx.indices) // 2))
    order = ctx.block_adaptive_order(_pagerank, block=block)
    return ctx.finish(order, "pagerank_adaptive", block=block, weights=weights)


# ---------------------------------------------------------------------------- Katz


def _katz_fn(alpha: float, beta: float) -> ScoreFunction:
    """Katz centrality of the present nodes, as networkx's ``katz_centrality_numpy`` (normalised, signed).

    ``x = (I - alpha A)^-1 beta 1`` on the subgraph of present nodes (a sparse LU solve), divided by
    ``sign(sum x) ||x||``; removed nodes score 0.
    """

    def score(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
        idx = np.flatnonzero(alive)
        a = _strength_adjacency(g)[idx][:, idx]
        x = np.atleast_1d(spsolve((identity(len(idx), format="csc") - alpha * a).tocsc(), np.full(len(idx), beta)))
        norm = np.sign(x.sum()) * np.linalg.norm(x)
        out = np.zeros(g.vcount())
        out[idx] = x / norm if norm else x
        return out

    return score


def _check_katz(alpha: float, beta: float, func: str) -> None:
    check_interval(alpha, param="alpha", func=func, low=0, closed="neither")
    check_interval(beta, param="beta", func=func, low=0, closed="neither")


@register_strategy("katz", weights="strength")
def katz_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    alpha: float = 0.1,
    beta: float = 1.0,
) -> pd.DataFrame:
    """Remove nodes by their initial Katz centrality (per unit cost), ties by degree.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means; this strategy uses tie
        *strengths* (walks are weighted by the product of their ties' strengths),
        so a distance ``d`` counts as strength ``1 / d``
        (:mod:`~crimnet.graphs.disrupt.weights`). 'ignore': unweighted.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        See :func:`degree_ranking`.
    alpha : float, default 0.1
        Attenuation per step of a walk (> 0). Katz's sum of walks converges for
        ``alpha < 1 / lambda_max`` (the largest eigenvalue of the adjacency);
        above it the linear system still has a solution but it no longer counts
        walks (Cavallaro et al. 2020 kept networkx's 0.1 on the weighted
        Montagna networks, where ``1 / lambda_max`` is smaller).
    beta : float, default 1.0
        Weight of every node's own term (> 0); it only rescales the scores.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'katz'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    One sparse LU solve of ``(I - alpha A) x = beta 1``: about O(n + m) on
    sparse, tree-like graphs, more with fill-in. Normalised as networkx's
    ``katz_centrality_numpy`` (``x / (sign(sum x) ||x||)``). Katz, L. (1953).
    A new status index derived from sociometric analysis. Psychometrika 18,
    39-43, doi:10.1007/BF02289026; used for disruption by Cavallaro et al.
    (2020), PLoS ONE 15(8), e0236476.

    Examples
    --------
    >>> katz_ranking(ig.Graph.Star(5), budget=1)["node_id"].tolist()
    [0]
    """
    func = "katz_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    _check_katz(alpha, beta, func)
    score = _katz_fn(alpha, beta)(ctx.working_graph(), np.ones(ctx.n, bool))
    order = ctx.static_order(score, secondary=ctx.degree.astype(float))
    return ctx.finish(order, "katz", alpha=alpha, beta=beta, weights=weights)


@register_strategy("katz_adaptive", weights="strength")
def katz_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
    block_fraction: float | None = None,
    alpha: float = 0.1,
    beta: float = 1.0,
) -> pd.DataFrame:
    """Remove the highest-Katz nodes, recomputing Katz centrality after each block of removals.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        See :func:`katz_ranking`.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        See :func:`degree_ranking`.
    block_fraction : float in (0, 1], optional
        Katz centrality is recomputed after every ``ceil(block_fraction * n)``
        removals; default from the graph's size and the budget, as
        :func:`betweenness_adaptive_ranking` (recorded in ``ranking.attrs['block']``).
    alpha, beta : float
        See :func:`katz_ranking`.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'katz_adaptive'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters.

    Notes
    -----
    One sparse LU solve per block until no edge is left; then adaptive degree
    completes the order. Negative scores (``alpha`` above ``1 / lambda_max``)
    stay candidates, as in networkx. Cavallaro et al. (2020)'s sequential
    Katz attack is ``ties='last'`` with a block of one node.

    Examples
    --------
    >>> katz_adaptive_ranking(ig.Graph.Star(6), budget=1)["node_id"].tolist()
    [0]
    """
    func = "katz_adaptive_ranking"
    ctx = prepare(
        graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, weights=weights, ties=ties
    )
    _check_katz(alpha, beta, func)
    # a recomputation: one sparse LU solve, a few hundred passes over the graph
    block = ctx.block_size(block_fraction, work=300.0 * (ctx.n + len(ctx.indices) // 2))
    order = ctx.block_adaptive_order(_katz_fn(alpha, beta), block=block, positive_only=False)
    return ctx.finish(order, "katz_adaptive", block=block, alpha=alpha, beta=beta, weights=weights)
