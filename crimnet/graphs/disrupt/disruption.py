"""Disruption strategies: removal orders for a network, and their comparison.

A *strategy* answers "who, or which phone, account or address, should be acted
on first?" with a removal order: a ``ranking`` DataFrame with columns ``rank``
(int64, 1-based), ``node_id`` (the vertex ``name``), ``label`` (the vertex
``label``, or NA) and ``strategy`` (str). :func:`disrupt` runs several
strategies on one graph and scores each removal order with the robustness
curve, the R-index and victim-controller reachability
(:mod:`crimnet.graphs.disrupt.robustness`).

Every strategy has the signature::

    <name>_ranking(graph, *, budget=None, seed=0, costs=None, budget_cost=None, **params) -> ranking

- ``graph`` is an :class:`igraph.Graph`, treated as undirected and simple
  (directions, multi-edges and loops are ignored: dismantling is about
  connectivity). Bipartite graphs (people and meetings) are dismantled as they
  are, both kinds of node being removable.
- ``budget`` (int, nodes) truncates the order to its first ``budget`` nodes; by
  default the order lists every node.
- ``costs`` maps a node label to the cost of acting on such a node (see
  :data:`DEFAULT_COSTS`); unknown or missing labels cost 1. A cost-aware
  strategy ranks by *benefit per unit cost* (its score divided by the cost).
  ``budget_cost`` truncates the order to its longest prefix whose total cost is
  at most ``budget_cost``.
- ``seed`` breaks ties (and drives sampling) reproducibly.

Adding a strategy
-----------------
Write a function with that signature and register it once; it then appears in
:func:`strategies`, in :func:`disrupt`, in ``crimnet disrupt`` and in every
benchmark. :func:`score_ranking` turns any node score into a removal order:

>>> import igraph as ig
>>> @register_strategy("eccentricity_demo")
... def eccentricity_demo_ranking(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
...     '''Remove the most central nodes (lowest eccentricity) first.'''
...     ecc = pd.Series(graph.eccentricity(), index=node_ids(graph))
...     return score_ranking(graph, -ecc, budget=budget, seed=seed, costs=costs,
...                          budget_cost=budget_cost, strategy="eccentricity_demo")
>>> "eccentricity_demo" in strategies()
True
>>> g = ig.Graph.Star(5)
>>> eccentricity_demo_ranking(g, budget=1)[["rank", "node_id", "strategy"]].values.tolist()
[[1, 0, 'eccentricity_demo']]
>>> result = disrupt(g, strategies=["eccentricity_demo", "degree"])
>>> result.summary["strategy"].tolist()
['eccentricity_demo', 'degree']
>>> unregister_strategy("eccentricity_demo")

Strategies here: ``random`` (the floor), ``degree`` and ``degree_adaptive``,
``betweenness`` and ``betweenness_adaptive``, ``pagerank`` and
``pagerank_adaptive``, ``articulation``, ``collective_influence``, ``corehd``,
``decycling_reinsertion``, ``victim_controller_cut`` and ``non_person``.

Every strategy that stops having a meaningful score before all nodes are
removed (no articulation point left, all collective influence zero, no edge in
a cut) completes its order with adaptive degree on what is left, so full
R-indices are comparable.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.graphs.arrays import csr_arrays, node_ids, node_index
from crimnet.graphs.disrupt.robustness import r_index, robustness_curve

__all__ = [
    "DEFAULT_COSTS",
    "RANKING_COLUMNS",
    "SUMMARY_COLUMNS",
    "DisruptionResult",
    "StrategyInfo",
    "articulation_ranking",
    "betweenness_adaptive_ranking",
    "betweenness_ranking",
    "cluster_disruption_points",
    "collective_influence_ranking",
    "corehd_ranking",
    "decycling_reinsertion_ranking",
    "degree_adaptive_ranking",
    "degree_ranking",
    "disrupt",
    "get_strategy",
    "non_person_ranking",
    "pagerank_adaptive_ranking",
    "pagerank_ranking",
    "random_ranking",
    "register_strategy",
    "score_ranking",
    "strategies",
    "unregister_strategy",
    "victim_controller_cut_ranking",
]

#: Cost of action per node label, in arbitrary effort units: an arrest costs ten
#: times a phone seizure or an account freeze. Override per investigation.
DEFAULT_COSTS: dict[str, float] = {
    "Person": 10.0,
    "Account": 1.0,
    "Phone": 1.0,
    "Address": 3.0,
    "Vehicle": 2.0,
    "Business": 5.0,
}

RANKING_COLUMNS = ["rank", "node_id", "label", "strategy"]
SUMMARY_COLUMNS = [
    "strategy",
    "r_index",
    "r_index_budget",
    "budget",
    "cost_at_budget",
    "lcc_fraction_at_budget",
    "reachability_at_budget",
    "seconds",
    "uses_ground_truth",
]


# ============================================================================ registry


@dataclass(frozen=True)
class StrategyInfo:
    """A registered strategy: its name, function and whether it needs victim/controller labels."""

    name: str
    func: Callable[..., pd.DataFrame]
    needs_pairs: bool = False


_REGISTRY: dict[str, StrategyInfo] = {}


def register_strategy(name: str, *, needs_pairs: bool = False) -> Callable[[Callable[..., pd.DataFrame]], Callable]:
    """Register a ranking function under `name` (a decorator); it is returned unchanged.

    Parameters
    ----------
    name : str
        The strategy name, as it appears in ``ranking['strategy']``, in
        :func:`disrupt` and on the command line.
    needs_pairs : bool, default False
        The strategy needs ``victims``/``controllers``/``pairs`` keyword
        arguments; :func:`disrupt` passes them and skips the strategy when no
        labels are given.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is not a non-empty string or is already registered to
        another function.

    Examples
    --------
    See the module docstring.
    """
    check_type(name, str, param="name", func="register_strategy", expected="a non-empty str")
    if not name:
        raise ParameterError("The 'name' parameter of register_strategy must be a non-empty str. Got '' instead.")

    def deco(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        old = _REGISTRY.get(name)
        if old is not None and old.func.__qualname__ != func.__qualname__:
            raise ParameterError(
                f"The 'name' parameter of register_strategy must be a new strategy name. Got {name!r} "
                f"(already registered to {old.func.__qualname__}) instead."
            )
        _REGISTRY[name] = StrategyInfo(name, func, needs_pairs)
        return func

    return deco


def unregister_strategy(name: str) -> None:
    """Remove a strategy from the registry (e.g. after a test); unknown names are ignored.

    >>> unregister_strategy("no-such-strategy")
    """
    check_type(name, str, param="name", func="unregister_strategy", expected="a str")
    _REGISTRY.pop(name, None)


def strategies(*, needs_pairs: bool | None = None) -> list[str]:
    """Return the registered strategy names, in registration order.

    Parameters
    ----------
    needs_pairs : bool, optional
        Only those that need (True) or do not need (False) victim/controller labels.

    >>> strategies()[:3]
    ['random', 'degree', 'degree_adaptive']
    """
    return [k for k, v in _REGISTRY.items() if needs_pairs is None or v.needs_pairs == needs_pairs]


def get_strategy(name: str) -> StrategyInfo:
    """Return the :class:`StrategyInfo` of a registered strategy.

    Raises
    ------
    crimnet.errors.ParameterError
        If no strategy of that name is registered.

    >>> get_strategy("degree").func.__name__
    'degree_ranking'
    """
    check_choice(name, list(_REGISTRY), param="strategy", func="get_strategy")
    return _REGISTRY[name]


# ============================================================================ shared machinery


@dataclass
class _Ctx:
    """Per-call data shared by the strategies."""

    graph: ig.Graph
    n: int
    indptr: np.ndarray
    indices: np.ndarray
    cost: np.ndarray
    tb: np.ndarray  # random tie-break priority, a permutation of 0..n-1
    budget: int | None
    budget_cost: float | None
    seed: int

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.indptr)

    @property
    def stop(self) -> int:
        """How many nodes the order must list at least (all, or the budget)."""
        return self.n if self.budget is None else min(self.n, self.budget)


def _prepare(
    graph: Any,
    func: str,
    *,
    budget: int | None,
    seed: int,
    costs: Mapping[str, float] | None,
    budget_cost: float | None,
) -> _Ctx:
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    if budget is not None:
        check_interval(budget, param="budget", func=func, low=0, closed="left", integer=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    if budget_cost is not None:
        check_interval(budget_cost, param="budget_cost", func=func, low=0, closed="left")
    n = graph.vcount()
    indptr, indices = csr_arrays(graph)
    cost = _cost_vector(graph, costs, func)
    tb = np.random.default_rng(seed).permutation(n)
    return _Ctx(graph, n, indptr, indices, cost, tb, budget, budget_cost, int(seed))


def _labels(graph: ig.Graph) -> list[Any]:
    if "label" in graph.vertex_attributes():
        return [lab if isinstance(lab, str) else None for lab in graph.vs["label"]]
    return [None] * graph.vcount()


def _cost_vector(graph: ig.Graph, costs: Mapping[str, float] | None, func: str) -> np.ndarray:
    n = graph.vcount()
    if costs is None:
        return np.ones(n)
    if not isinstance(costs, Mapping):
        raise ParameterError(
            f"The 'costs' parameter of {func} must be a mapping of node label to a positive cost. "
            f"Got {costs!r} instead."
        )
    for k, v in costs.items():
        check_interval(v, param=f"costs[{k!r}]", func=func, low=0)
    return np.array([float(costs.get(lab, 1.0)) if lab is not None else 1.0 for lab in _labels(graph)])


def _finish(ctx: _Ctx, order: Iterable[int], strategy: str, **params: Any) -> pd.DataFrame:
    """Build the ranking DataFrame from vertex indices, applying the node and cost budgets."""
    order = np.asarray(list(order) if not isinstance(order, np.ndarray) else order, dtype=np.int64)
    if ctx.budget is not None:
        order = order[: ctx.budget]
    if ctx.budget_cost is not None:
        within = np.cumsum(ctx.cost[order]) <= ctx.budget_cost + 1e-9
        order = order[: int(np.argmin(within)) if not within.all() else len(order)]
    ids = node_ids(ctx.graph)
    labels = _labels(ctx.graph)
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(order) + 1, dtype=np.int64),
            "node_id": ids[order] if len(order) else np.empty(0, dtype=ids.dtype),
            "label": pd.array([labels[i] for i in order.tolist()], dtype="string"),
            "strategy": strategy,
        }
    )
    out.attrs = {"strategy": strategy, "seed": ctx.seed, "budget": ctx.budget, "budget_cost": ctx.budget_cost, **params}
    return out


def _static_order(ctx: _Ctx, score: np.ndarray, *, secondary: np.ndarray | None = None) -> np.ndarray:
    """All nodes by score / cost (descending), then secondary / cost, then the seeded tie-break."""
    keys = [ctx.tb]
    if secondary is not None:
        keys.append(-secondary / ctx.cost)
    keys.append(-score / ctx.cost)
    return np.lexsort(keys)


def _complete(ctx: _Ctx, prefix: list[int]) -> list[int]:
    """Append to `prefix` the adaptive-degree order of the nodes it does not list."""
    if len(prefix) >= ctx.stop:
        return prefix
    return _degree_adaptive_order(ctx, prefix)


def _degree_adaptive_order(ctx: _Ctx, prefix: list[int]) -> list[int]:
    """Remove the `prefix` nodes, then repeatedly the node of highest current degree / cost (lazy max-heap)."""
    n = ctx.n
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    alive = [True] * n
    deg = ctx.degree.astype(np.int64)
    order = list(prefix)
    if order:
        pre = np.asarray(order)
        alive_np = np.ones(n, bool)
        alive_np[pre] = False
        src = np.repeat(np.arange(n), np.diff(ctx.indptr))
        # current degree: neighbours that are still present
        deg = np.bincount(src[alive_np[ctx.indices]], minlength=n).astype(np.int64)
        alive = alive_np.tolist()
    cost = ctx.cost.tolist()
    tb = ctx.tb.tolist()
    dl = deg.tolist()
    heap = [(-dl[v] / cost[v], tb[v], v) for v in range(n) if alive[v]]
    heapq.heapify(heap)
    stop = ctx.stop
    while heap and len(order) < stop:
        key, _, v = heapq.heappop(heap)
        if not alive[v] or key != -dl[v] / cost[v]:
            continue
        alive[v] = False
        order.append(v)
        for j in range(ip[v], ip[v + 1]):
            u = ind[j]
            if alive[u]:
                dl[u] -= 1
                heapq.heappush(heap, (-dl[u] / cost[u], tb[u], u))
    return order


def _working_graph(ctx: _Ctx) -> ig.Graph:
    src = np.repeat(np.arange(ctx.n), np.diff(ctx.indptr))
    keep = src < ctx.indices
    return ig.Graph(n=ctx.n, edges=np.stack([src[keep], ctx.indices[keep]], axis=1).tolist())


def _block_adaptive(
    ctx: _Ctx,
    score_fn: Callable[[ig.Graph, np.ndarray], np.ndarray],
    *,
    block: int,
    positive_only: bool = True,
) -> list[int]:
    """Recompute `score_fn` on the remaining graph, remove the `block` best nodes, repeat; then complete."""
    g = _working_graph(ctx)
    alive = np.ones(ctx.n, dtype=bool)
    order: list[int] = []
    stop = ctx.stop
    while len(order) < stop and g.ecount() > 0:
        score = np.asarray(score_fn(g, alive), dtype=np.float64)
        deg = np.asarray(g.degree())
        cand = alive & (deg > 0) & ((score > 0) if positive_only else True)
        idx = np.flatnonzero(cand)
        if not len(idx):
            break
        take = idx[np.lexsort((ctx.tb[idx], -deg[idx] / ctx.cost[idx], -score[idx] / ctx.cost[idx]))]
        take = take[: min(block, stop - len(order))]
        order.extend(take.tolist())
        alive[take] = False
        g.delete_edges(g.es.select(_incident=take.tolist()))
    return _complete(ctx, order)


def _block_size(n: int, block_fraction: float, func: str) -> int:
    check_interval(block_fraction, param="block_fraction", func=func, low=0, high=1, closed="right")
    return max(1, math.ceil(block_fraction * n))


# ============================================================================ baseline strategies


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
    ctx = _prepare(graph, "random_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return _finish(ctx, ctx.tb.argsort(), "random")


@register_strategy("degree")
def degree_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
) -> pd.DataFrame:
    """Remove nodes by their initial degree (per unit cost), highest first.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; ties are broken by a permutation seeded by
        `seed`; with `costs` the score is degree / cost.

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
    ctx = _prepare(graph, "degree_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return _finish(ctx, _static_order(ctx, ctx.degree.astype(float)), "degree")


@register_strategy("degree_adaptive")
def degree_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
) -> pd.DataFrame:
    """Repeatedly remove the node of highest *current* degree (per unit cost).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.

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
    ctx = _prepare(graph, "degree_adaptive_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return _finish(ctx, _degree_adaptive_order(ctx, []), "degree_adaptive")


# ---------------------------------------------------------------------------- betweenness


def _betweenness_fn(ctx: _Ctx, exact_max_nodes: int, samples: int) -> Callable[[ig.Graph, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(ctx.seed)

    def score(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
        active = np.flatnonzero(alive & (np.asarray(g.degree()) > 0))
        if len(active) <= exact_max_nodes:
            return np.asarray(g.betweenness(directed=False))
        pivots = rng.choice(active, size=min(samples, len(active)), replace=False)
        return np.asarray(g.betweenness(directed=False, sources=pivots.tolist()))

    return score


@register_strategy("betweenness")
def betweenness_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    exact_max_nodes: int = 5000,
    samples: int = 256,
) -> pd.DataFrame:
    """Remove nodes by their initial betweenness (per unit cost), ties by degree.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected, simple and unweighted (hop counts).
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; `seed` also draws the pivots.
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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_interval(exact_max_nodes, param="exact_max_nodes", func=func, low=0, closed="left", integer=True)
    check_interval(samples, param="samples", func=func, low=1, closed="left", integer=True)
    score = _betweenness_fn(ctx, exact_max_nodes, samples)(_working_graph(ctx), np.ones(ctx.n, bool))
    order = _static_order(ctx, score, secondary=ctx.degree.astype(float))
    return _finish(ctx, order, "betweenness", exact_max_nodes=exact_max_nodes, samples=samples)


@register_strategy("betweenness_adaptive")
def betweenness_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    block_fraction: float = 0.01,
    exact_max_nodes: int = 5000,
    samples: int = 256,
) -> pd.DataFrame:
    """Remove the highest-betweenness nodes, recomputing betweenness after each block of removals.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected, simple and unweighted.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    block_fraction : float in (0, 1], default 0.01
        Betweenness is recomputed after every ``ceil(block_fraction * n)``
        removals (1 node per step on graphs below 100 nodes).
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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    block = _block_size(ctx.n, block_fraction, func)
    check_interval(exact_max_nodes, param="exact_max_nodes", func=func, low=0, closed="left", integer=True)
    check_interval(samples, param="samples", func=func, low=1, closed="left", integer=True)
    order = _block_adaptive(ctx, _betweenness_fn(ctx, exact_max_nodes, samples), block=block)
    return _finish(ctx, order, "betweenness_adaptive", block_fraction=block_fraction, samples=samples)


# ---------------------------------------------------------------------------- PageRank


def _pagerank(g: ig.Graph, alive: np.ndarray, *, damping: float = 0.85, tol: float = 1e-9) -> np.ndarray:
    """Undirected PageRank by power iteration on the sparse adjacency (dangling mass spread uniformly).

    Vectorised scipy matvecs: igraph's PRPACK is slow on the many isolated
    vertices that an adaptive removal leaves behind.
    """
    n = g.vcount()
    ip, ind = csr_arrays(g)
    deg = np.diff(ip).astype(np.float64)
    a = csr_matrix((np.ones(len(ind)), ind, ip), shape=(n, n))
    inv = np.divide(1.0, deg, out=np.zeros(n), where=deg > 0)
    dangling = deg == 0
    x = np.full(n, 1.0 / n)
    for _ in range(200):
        nxt = damping * (a @ (x * inv)) + (damping * x[dangling].sum() + 1.0 - damping) / n
        if np.abs(nxt - x).sum() < tol:
            return nxt
        x = nxt
    return x


@register_strategy("pagerank")
def pagerank_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
) -> pd.DataFrame:
    """Remove nodes by their initial PageRank (damping 0.85, per unit cost).

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.

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
    ctx = _prepare(graph, "pagerank_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    score = _pagerank(_working_graph(ctx), np.ones(ctx.n, bool))
    return _finish(ctx, _static_order(ctx, score, secondary=ctx.degree.astype(float)), "pagerank")


@register_strategy("pagerank_adaptive")
def pagerank_adaptive_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    block_fraction: float = 0.01,
) -> pd.DataFrame:
    """Remove the highest-PageRank nodes, recomputing PageRank after each block of removals.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    block_fraction : float in (0, 1], default 0.01
        PageRank is recomputed after every ``ceil(block_fraction * n)`` removals.

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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    order = _block_adaptive(ctx, _pagerank, block=_block_size(ctx.n, block_fraction, func))
    return _finish(ctx, order, "pagerank_adaptive", block_fraction=block_fraction)


# ---------------------------------------------------------------------------- articulation points


def _articulation_scores(indptr: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """For every node, the number of nodes separated from the largest remaining piece of its component.

    Iterative Tarjan DFS with subtree sizes: a child subtree c of v is cut off
    by removing v when low[c] >= disc[v]. O(n + m).
    """
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
    block_fraction: float = 0.01,
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
        See :func:`random_ranking`; the score is divided by the cost.
    block_fraction : float in (0, 1], default 0.01
        Scores are recomputed after every ``ceil(block_fraction * n)`` removals.

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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)

    def score(g: ig.Graph, alive: np.ndarray) -> np.ndarray:
        ip, ind = csr_arrays(g)
        return _articulation_scores(ip, ind)

    order = _block_adaptive(ctx, score, block=_block_size(ctx.n, block_fraction, func))
    return _finish(ctx, order, "articulation", block_fraction=block_fraction)


# ---------------------------------------------------------------------------- collective influence


def _adjacency(ctx: _Ctx) -> csr_matrix:
    data = np.ones(len(ctx.indices), dtype=np.float64)
    return csr_matrix((data, ctx.indices, ctx.indptr), shape=(ctx.n, ctx.n))


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


@register_strategy("collective_influence")
def collective_influence_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    ell: int = 2,
) -> pd.DataFrame:
    """Remove the node of highest collective influence, adaptively (Morone & Makse 2015).

    ``CI_ell(i) = (k_i - 1) * sum_{j : d(i, j) = ell} (k_j - 1)``, with ``k``
    the current degrees. After each removal the CI of the nodes within
    distance ``ell + 1`` of the removed node is recomputed; a lazy max-heap
    keyed by (CI / cost, degree / cost) picks the next node. When every CI is
    zero (the graph has no path of length ``ell + 1`` through a node of
    degree >= 2), adaptive degree completes the order; ties on CI go to the
    higher degree, so a star's hub goes first.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`.
    ell : int, default 2
        Radius of the ball (``ell >= 1``).

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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_interval(ell, param="ell", func=func, low=1, closed="left", integer=True)
    n = ctx.n
    a = _adjacency(ctx)
    alive = np.ones(n, dtype=bool)
    deg = ctx.degree.astype(np.float64)
    ci = np.zeros(n)
    chunk = max(1, 2_000_000 // max(1, int(deg.mean() ** 2) + 1))
    for s in range(0, n, chunk):
        rows = np.arange(s, min(n, s + chunk))
        ci[rows] = _ci_values(a, rows, alive, deg, ell)
    cost = ctx.cost
    tb = ctx.tb.tolist()
    version = [0] * n
    heap = [(-ci[v] / cost[v], -deg[v] / cost[v], tb[v], v, 0) for v in range(n)]
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
        # ball of radius ell + 1 around v, before removal
        ball = [np.array([v])]
        mark[v] = True
        frontier = ball[0]
        for _ in range(ell + 1):
            nb = np.concatenate([ind[ip[u] : ip[u + 1]] for u in frontier.tolist()]) if len(frontier) else frontier
            nb = np.unique(nb)
            nb = nb[alive[nb] & ~mark[nb]]
            if not len(nb):
                break
            mark[nb] = True
            ball.append(nb)
            frontier = nb
        allb = np.concatenate(ball)
        mark[allb] = False
        alive[v] = False
        order.append(v)
        nbrs = ind[ip[v] : ip[v + 1]]
        deg[nbrs] -= 1
        deg[v] = 0
        upd = allb[1:]
        upd = upd[alive[upd]]
        if len(upd):
            ci[upd] = _ci_values(a, upd, alive, deg, ell)
            for u, c_u, d_u in zip(upd.tolist(), ci[upd].tolist(), deg[upd].tolist(), strict=True):
                version[u] += 1
                heapq.heappush(heap, (-c_u / cost[u], -d_u / cost[u], tb[u], u, version[u]))
    return _finish(ctx, _complete(ctx, order), "collective_influence", ell=ell)


# ---------------------------------------------------------------------------- CoreHD and decycling


def _corehd_decycle(ctx: _Ctx, stop: int) -> tuple[list[int], np.ndarray]:
    """CoreHD: remove the highest-degree (per cost) node of the 2-core until the 2-core is empty."""
    n = ctx.n
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    cost = ctx.cost.tolist()
    tb = ctx.tb.tolist()
    coreness = np.asarray(_working_graph(ctx).coreness())
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


def _tree_break(ctx: _Ctx, order: list[int], removed: np.ndarray, stop: int) -> list[int]:
    """Break the remaining forest: remove the centroid of the largest tree until all trees are single nodes."""
    n = ctx.n
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    alive = (~removed).tolist()
    src = np.repeat(np.arange(n), np.diff(ctx.indptr))
    keep = ~removed[src] & ~removed[ctx.indices]
    adj = csr_matrix((np.ones(int(keep.sum())), (src[keep], ctx.indices[keep])), shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    lab = np.where(removed, -1, lab)
    nodes = np.flatnonzero(~removed)
    srt = nodes[np.argsort(lab[nodes], kind="stable")]
    bounds = np.flatnonzero(np.diff(lab[srt])) + 1
    heap = []
    for members in np.split(srt, bounds):
        if len(members) > 1:
            heap.append((-len(members), ctx.tb[members[0]], members[0].item()))
    heapq.heapify(heap)
    tb = ctx.tb.tolist()
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


def _corehd_order(ctx: _Ctx) -> list[int]:
    order, removed = _corehd_decycle(ctx, ctx.stop)
    order = _tree_break(ctx, order, removed, ctx.stop)
    return _complete(ctx, order)


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
        See :func:`random_ranking`.

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
    ctx = _prepare(graph, "corehd_ranking", budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    return _finish(ctx, _corehd_order(ctx), "corehd")


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
        See :func:`random_ranking`.
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
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_interval(target_fraction, param="target_fraction", func=func, low=0, high=1, closed="right")
    n = ctx.n
    cap = max(1, int(target_fraction * n))
    full = _Ctx(ctx.graph, n, ctx.indptr, ctx.indices, ctx.cost, ctx.tb, None, None, ctx.seed)
    core = _corehd_order(full)
    curve = robustness_curve(_working_graph(ctx), core)
    lcc = np.rint(curve["lcc_fraction"].to_numpy() * n).astype(np.int64)
    k = int(np.argmax(lcc <= cap))
    dset = core[:k]
    # union-find over the graph without S
    present = np.ones(n, dtype=bool)
    present[dset] = False
    src = np.repeat(np.arange(n), np.diff(ctx.indptr))
    keep = present[src] & present[ctx.indices]
    adj = csr_matrix((np.ones(int(keep.sum())), (src[keep], ctx.indices[keep])), shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    counts = np.bincount(lab[present], minlength=n)
    # union-find ids: component labels of the graph without S live in [0, n); S node v gets n + v
    parent = list(range(2 * n))
    size = counts.tolist()[:n] + [0] * (n - len(counts.tolist()[:n])) + [0] * n
    node_root = lab.copy()
    node_root[dset] = n + np.asarray(dset, dtype=np.int64)
    node_root_l = node_root.tolist()
    pres = present.tolist()
    ip = ctx.indptr.tolist()
    ind = ctx.indices.tolist()
    cost = ctx.cost.tolist()
    tb = ctx.tb.tolist()

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
    back = set(reinserted)
    prefix = [v for v in dset if v not in back] + reinserted[::-1]
    return _finish(ctx, _complete(ctx, prefix), "decycling_reinsertion", target_fraction=target_fraction)


# ============================================================================ exploitation-targeted strategies


def _pair_groups(
    graph: ig.Graph, victims: Iterable[Any] | None, controllers: Iterable[Any] | None, pairs: Iterable | None, func: str
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Group (victim, controller) pairs into clusters: [(controllers, victims, n_pairs)]."""
    if pairs is not None:
        pl = [tuple(p) for p in pairs]
        if not pl:
            return []
        a = node_index(graph, [p[0] for p in pl], param="pairs", func=func)
        b = node_index(graph, [p[1] for p in pl], param="pairs", func=func)
        key = np.unique(np.stack([a, b], axis=1), axis=0)
        a, b = key[:, 0], key[:, 1]
        nodes, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
        m = len(nodes)
        pg = csr_matrix((np.ones(len(a)), (inv[: len(a)], inv[len(a) :])), shape=(m, m))
        _, comp = connected_components(pg, directed=False)
        pc = comp[inv[: len(a)]]
        groups = []
        for c in np.unique(pc):
            sel = pc == c
            groups.append((np.unique(b[sel]), np.unique(a[sel]), int(sel.sum())))
        return groups
    if victims is not None and controllers is not None:
        v = np.unique(node_index(graph, victims, param="victims", func=func))
        c = np.unique(node_index(graph, controllers, param="controllers", func=func))
        if len(v) and len(c):
            return [(c, v, len(v) * len(c))]
        return []
    raise ParameterError(
        f"The 'pairs' parameter of {func} must be given (or both 'victims' and 'controllers'). Got None instead."
    )


def _min_vertex_cut(
    ctx: _Ctx, membership: np.ndarray, controllers: np.ndarray, victims: np.ndarray
) -> tuple[list[int], float]:
    """Minimum-cost vertex set separating controllers from victims (split-node max-flow)."""
    comps = np.intersect1d(membership[controllers], membership[victims])
    if not len(comps):
        return [], 0.0
    sub = np.flatnonzero(np.isin(membership, comps))
    ns = len(sub)
    local = np.full(ctx.n, -1, dtype=np.int64)
    local[sub] = np.arange(ns)
    src = np.repeat(np.arange(ctx.n), np.diff(ctx.indptr))
    keep = (local[src] >= 0) & (src < ctx.indices)
    ea, eb = local[src[keep]], local[ctx.indices[keep]]
    terminal = np.zeros(ns, dtype=bool)
    terminal[local[controllers[local[controllers] >= 0]]] = True
    terminal[local[victims[local[victims] >= 0]]] = True
    vcap = ctx.cost[sub].copy()
    big = float(vcap[~terminal].sum()) + 1.0  # a terminal is cut only when nothing else can separate
    vcap[terminal] = big
    inf = float(vcap.sum()) + 1.0
    s, t = 2 * ns, 2 * ns + 1
    idx = np.arange(ns)
    cl = local[controllers]
    vl = local[victims]
    cl, vl = cl[cl >= 0], vl[vl >= 0]
    arcs = np.concatenate(
        [
            np.stack([idx, idx + ns], axis=1),  # v_in -> v_out: the node itself
            np.stack([ea + ns, eb], axis=1),  # a_out -> b_in
            np.stack([eb + ns, ea], axis=1),  # b_out -> a_in
            np.stack([np.full(len(cl), s), cl], axis=1),  # super-source -> controllers
            np.stack([vl + ns, np.full(len(vl), t)], axis=1),  # victims -> super-sink
        ]
    )
    caps = np.concatenate([vcap, np.full(2 * len(ea) + len(cl) + len(vl), inf)])
    fg = ig.Graph(n=2 * ns + 2, edges=arcs.tolist(), directed=True)
    cut = fg.mincut(s, t, capacity=caps.tolist())
    nodes = [int(sub[e]) for e in cut.cut if e < ns]
    return nodes, float(sum(ctx.cost[nodes]))


@register_strategy("victim_controller_cut", needs_pairs=True)
def victim_controller_cut_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    victims: Iterable[Any] | None = None,
    controllers: Iterable[Any] | None = None,
    pairs: Iterable[tuple[Any, Any]] | None = None,
) -> pd.DataFrame:
    """Cut victims off from their controllers with minimum-cost vertex cuts (max-flow).

    Pairs are grouped into clusters (connected components of the
    victim-controller pair graph, i.e. rings). For each cluster, a flow
    network splits every node v into ``v_in -> v_out`` with capacity
    ``cost(v)`` and turns every edge into two infinite arcs; a super-source
    feeds the controllers and the victims drain to a super-sink. The minimum
    s-t cut is the cheapest set of nodes whose removal separates every victim
    of the cluster from every controller of it (Menger's theorem). Victims and
    controllers themselves get a capacity above the total cost of all other
    nodes, so they are cut only when nothing else can separate them (e.g. a
    controller directly tied to a victim). Clusters are taken in decreasing
    pairs-per-unit-cost order, each cut's nodes by degree; adaptive degree
    completes the order. When two rings share a controller they form one
    cluster, and its cut also separates victims of one ring from the other's
    controllers: the cut can be larger than the true pairs need.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; costs are the vertex capacities.
    victims, controllers : iterable of node ids, optional
        Used when `pairs` is not given: one cluster, every victim with every
        controller.
    pairs : iterable of (victim, controller) node-id tuples, optional
        E.g. each victim with the controllers of its own ring.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'victim_controller_cut'``).

    Raises
    ------
    crimnet.errors.ParameterError
        If neither `pairs` nor `victims` and `controllers` are given, or they
        name unknown nodes.

    Notes
    -----
    One push-relabel max-flow (igraph) per cluster on the component(s) that
    hold it: O(V^2 sqrt(E)) worst case on the split network, far less in
    practice. Cuts are computed once on the intact graph; nodes already
    chosen for an earlier cluster are not repeated.

    References
    ----------
    K. Menger (1927), doi:10.4064/fm-10-1-96-115; L. R. Ford and D. R.
    Fulkerson, "Maximal flow through a network", Can. J. Math. 8, 399-404
    (1956), doi:10.4153/CJM-1956-045-5.

    Examples
    --------
    Controller 0 reaches victims 3 and 4 only through nodes 1 and 2:

    >>> g = ig.Graph([(0, 1), (0, 2), (1, 3), (2, 3), (2, 4), (0, 5)])
    >>> r = victim_controller_cut_ranking(g, pairs=[(3, 0), (4, 0)], budget=2)
    >>> sorted(r["node_id"].tolist())
    [1, 2]
    """
    func = "victim_controller_cut_ranking"
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    groups = _pair_groups(graph, victims, controllers, pairs, func)
    membership = np.asarray(_working_graph(ctx).connected_components().membership)
    cuts: list[tuple[float, int, list[int]]] = []
    for ctrl, vict, npairs in groups:
        nodes, value = _min_vertex_cut(ctx, membership, ctrl, vict)
        if nodes:
            cuts.append((-npairs / max(value, 1e-12), len(cuts), nodes))
    cuts.sort()
    seen: set[int] = set()
    prefix: list[int] = []
    deg = ctx.degree
    for _, _, nodes in cuts:
        for v in sorted(nodes, key=lambda x: (-deg[x] / ctx.cost[x], ctx.tb[x])):
            if v not in seen:
                seen.add(v)
                prefix.append(v)
    return _finish(ctx, _complete(ctx, prefix), "victim_controller_cut", clusters=len(groups))


@register_strategy("non_person")
def non_person_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    base: str = "betweenness",
    person_label: str = "Person",
) -> pd.DataFrame:
    """Follow a base strategy, but isolate a person through their phones, accounts and addresses when cheaper.

    Walking the base strategy's order, a person is replaced by their present
    neighbours when all of them are non-person entities (a phone to seize, an
    account to freeze, an address to search) and their total cost is below
    the cost of acting on the person. The person then stays in place but cut
    off, and comes at the end of the order. Other nodes are taken as the base
    order gives them. Unlabelled nodes count as persons; a graph without
    labels gives the base order.

    Parameters
    ----------
    graph : igraph.Graph
        With a vertex ``label`` attribute (e.g. from the hetero graph view).
    budget, seed, budget_cost
        See :func:`random_ranking`.
    costs : mapping of str to float, optional
        Cost of action per label; default :data:`DEFAULT_COSTS`.
    base : str, default 'betweenness'
        A registered strategy (not needing pairs) giving the priority order;
        it is run without costs.
    person_label : str, default 'Person'
        The label of people.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'non_person'``).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters or an unknown `base`.

    Notes
    -----
    The base strategy's cost plus O(n + m) for the walk; adaptive degree
    completes the order.

    Examples
    --------
    A person (cost 10) who reaches two others only through one phone
    (cost 1): the phone goes first, not the person.

    >>> g = ig.Graph([(0, 1), (1, 2), (1, 3)])
    >>> g.vs["name"] = ["p0", "ph", "p2", "p3"]
    >>> g.vs["label"] = ["Person", "Phone", "Person", "Person"]
    >>> non_person_ranking(g, budget=1)["node_id"].tolist()
    ['ph']
    """
    func = "non_person_ranking"
    ctx = _prepare(
        graph,
        func,
        budget=budget,
        seed=seed,
        costs=DEFAULT_COSTS if costs is None else costs,
        budget_cost=budget_cost,
    )
    check_choice(base, strategies(needs_pairs=False), param="base", func=func)
    if base == "non_person":
        raise ParameterError(f"The 'base' parameter of {func} must be another strategy. Got 'non_person' instead.")
    base_order = node_index(graph, get_strategy(base).func(graph, seed=seed)["node_id"], param="base", func=func)
    labels = _labels(graph)
    is_person = np.array([lab is None or lab == person_label for lab in labels], dtype=bool)
    alive = np.ones(ctx.n, dtype=bool)
    handled = np.zeros(ctx.n, dtype=bool)
    ip, ind = ctx.indptr, ctx.indices
    deg = ctx.degree
    prefix: list[int] = []
    for v in base_order.tolist():
        if len(prefix) >= ctx.stop:
            break
        if not alive[v] or handled[v]:
            continue
        if is_person[v]:
            nb = ind[ip[v] : ip[v + 1]]
            nb = nb[alive[nb]]
            if len(nb) and not is_person[nb].any() and ctx.cost[nb].sum() < ctx.cost[v]:
                for u in nb[np.lexsort((ctx.tb[nb], -deg[nb]))].tolist():
                    alive[u] = False
                    prefix.append(u)
                handled[v] = True
                continue
        alive[v] = False
        prefix.append(v)
    return _finish(ctx, _complete(ctx, prefix), "non_person", base=base)


# ============================================================================ any score as a strategy


def score_ranking(
    graph: ig.Graph,
    scores: pd.Series,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    strategy: str = "score",
) -> pd.DataFrame:
    """Turn any node score (GNN, detection risk, centrality) into a removal order, highest first.

    This is the hook for the GNN's and the detectors' scores: wrap it in a
    registered function to make a score a strategy (see the module docstring).

    Parameters
    ----------
    graph : igraph.Graph
        The graph the scores belong to.
    scores : pandas.Series
        Score per node, indexed by node id (vertex name); higher means remove
        earlier. Nodes without a score (or NaN) come after all scored nodes,
        by degree.
    budget, seed, costs, budget_cost
        See :func:`random_ranking`; with `costs` the key is score / cost
        (scores should then be non-negative).
    strategy : str, default 'score'
        The name written to the ``strategy`` column.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy).

    Raises
    ------
    crimnet.errors.ParameterError
        If `scores` is not a Series or its index names nodes not in the graph.

    Notes
    -----
    O(n log n).

    Examples
    --------
    >>> g = ig.Graph.Ring(4)
    >>> score_ranking(g, pd.Series({2: 0.9, 0: 0.5}))["node_id"].tolist()[:2]
    [2, 0]
    """
    func = "score_ranking"
    ctx = _prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_type(scores, pd.Series, param="scores", func=func, expected="a pandas Series indexed by node id")
    check_type(strategy, str, param="strategy", func=func, expected="a str")
    idx = node_index(graph, scores.index, param="scores", func=func)
    s = np.full(ctx.n, np.nan)
    s[idx] = scores.to_numpy(dtype=np.float64)
    scored = ~np.isnan(s)
    key = np.where(scored, s / ctx.cost, 0.0)
    order = np.lexsort((ctx.tb, -ctx.degree / ctx.cost, -key, ~scored))
    return _finish(ctx, order, strategy)


# ============================================================================ running and comparing strategies


@dataclass
class DisruptionResult:
    """The outcome of :func:`disrupt`.

    Attributes
    ----------
    rankings : pandas.DataFrame
        All rankings concatenated: rank, node_id, label, strategy.
    curves : pandas.DataFrame
        strategy, k, fraction_removed, lcc_fraction, victims_reachable_fraction.
    summary : pandas.DataFrame
        One row per strategy: strategy, r_index, r_index_budget, budget (nodes
        removed at the budget), cost_at_budget, lcc_fraction_at_budget,
        reachability_at_budget (NaN without labels), seconds (ranking time),
        uses_ground_truth (bool: the strategy ranks from the victim/controller labels
        themselves, an oracle bound for the others, not something an investigation can run).
    skipped : list of str
        Strategies not run because they need victim/controller labels.
    params : dict
        The parameters of the run.
    """

    rankings: pd.DataFrame
    curves: pd.DataFrame
    summary: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)

    def write(self, out: str | Path) -> list[Path]:
        """Write ``summary.csv``, ``curves.csv``, ``rankings.csv`` and ``curves.png`` into `out`."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "summary.csv", out / "curves.csv", out / "rankings.csv", out / "curves.png"]
        self.summary.to_csv(paths[0], index=False)
        self.curves.to_csv(paths[1], index=False)
        self.rankings.to_csv(paths[2], index=False)
        self.plot(paths[3])
        return paths

    def plot(self, path: str | Path) -> Path:
        """Plot LCC share (and reachability, when labelled) against the share removed, per strategy."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        labelled = self.curves["victims_reachable_fraction"].notna().any()
        fig, axes = plt.subplots(1, 2 if labelled else 1, figsize=(12 if labelled else 7, 5), squeeze=False)
        for name, c in self.curves.groupby("strategy", sort=False):
            axes[0, 0].plot(c["fraction_removed"], c["lcc_fraction"], label=name, lw=1.2)
            if labelled:
                axes[0, 1].plot(c["fraction_removed"], c["victims_reachable_fraction"], label=name, lw=1.2)
        axes[0, 0].set(xlabel="fraction of nodes removed", ylabel="largest component / n", title="Robustness")
        if labelled:
            axes[0, 1].set(
                xlabel="fraction of nodes removed",
                ylabel="victim-controller pairs connected",
                title="Victim-controller reachability",
            )
        budget = self.params.get("budget_nodes")
        for ax in axes[0]:
            if budget:
                ax.axvline(budget / max(1, self.params.get("n", 1)), color="grey", ls=":", lw=1)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.02)
        axes[0, 0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return Path(path)


def _resolve_budget(budget: int | float | None, n: int, func: str) -> int:
    if budget is None:
        return n
    if isinstance(budget, float) and not isinstance(budget, bool):
        check_interval(budget, param="budget", func=func, low=0, high=1)
        return max(1, int(budget * n))
    check_interval(budget, param="budget", func=func, low=1, closed="left", integer=True)
    return min(int(budget), n)


def disrupt(
    graph: ig.Graph,
    *,
    strategies: Iterable[str] | None = None,
    budget: int | float | None = None,
    budget_cost: float | None = None,
    victims: Iterable[Any] | None = None,
    controllers: Iterable[Any] | None = None,
    pairs: Iterable[tuple[Any, Any]] | None = None,
    costs: Mapping[str, float] | None = None,
    seed: int = 0,
) -> DisruptionResult:
    """Run disruption strategies on a graph and compare their robustness curves.

    Each strategy computes a full removal order (timed); its curve comes from
    :func:`~crimnet.graphs.disrupt.robustness.robustness_curve`, and the summary gives
    the R-index in full and up to the budget, and the LCC share and
    victim-controller reachability at the budget.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    strategies : iterable of str, optional
        Registered strategy names; default all (those needing labels only
        when labels are given).
    budget : int or float, optional
        Nodes that may be removed: an int count, or a float fraction of n in
        (0, 1). Default: all nodes.
    budget_cost : float, optional
        A budget in cost units instead: per strategy, the longest prefix of
        its order whose total cost is at most this.
    victims, controllers, pairs
        Victim-controller labels, as in
        :func:`~crimnet.graphs.disrupt.robustness.robustness_curve`.
    costs : mapping of str to float, optional
        Cost of action per node label; makes every strategy cost-aware.
    seed : int, default 0
        Passed to every strategy.

    Returns
    -------
    DisruptionResult
        rankings, curves and summary (columns in :data:`SUMMARY_COLUMNS`).

    Raises
    ------
    crimnet.errors.ParameterError
        On unknown strategies or bad budgets, costs or labels.

    Notes
    -----
    The cost is the sum of the strategies' costs plus one O((n + m) alpha(n))
    curve per strategy.

    Examples
    --------
    >>> g = ig.Graph.Famous("Zachary")
    >>> res = disrupt(g, strategies=["random", "degree_adaptive"], budget=0.1)
    >>> s = res.summary.set_index("strategy")
    >>> bool(s.loc["degree_adaptive", "r_index"] < s.loc["random", "r_index"])
    True
    >>> int(s.loc["random", "budget"])
    3
    """
    func = "disrupt"
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    if graph.vcount() == 0:
        raise ParameterError(
            f"The 'graph' parameter of {func} must have at least one vertex. Got an empty graph instead."
        )
    n = graph.vcount()
    kmax = _resolve_budget(budget, n, func)
    if budget_cost is not None:
        check_interval(budget_cost, param="budget_cost", func=func, low=0, closed="left")
    labelled = pairs is not None or (victims is not None and controllers is not None)
    pairs = [tuple(p) for p in pairs] if pairs is not None else None
    victims = list(victims) if victims is not None else None
    controllers = list(controllers) if controllers is not None else None
    names = list(_REGISTRY) if strategies is None else list(strategies)
    for name in names:
        check_choice(name, list(_REGISTRY), param="strategies", func=func)
    cost_vec = _cost_vector(graph, costs, func)
    skipped, rankings, curves, rows = [], [], [], []
    for name in names:
        info = _REGISTRY[name]
        kwargs: dict[str, Any] = {"seed": seed, "costs": costs}
        if info.needs_pairs:
            if not labelled:
                skipped.append(name)
                continue
            kwargs.update(victims=victims, controllers=controllers, pairs=pairs)
        start = time.perf_counter()
        ranking = info.func(graph, **kwargs)
        seconds = time.perf_counter() - start
        ranking = ranking.assign(strategy=name)
        curve = robustness_curve(graph, ranking, victims=victims, controllers=controllers, pairs=pairs)
        order = node_index(graph, ranking["node_id"], param="ranking", func=func)
        cum = np.concatenate([[0.0], np.cumsum(cost_vec[order])])
        k = min(kmax, len(ranking))
        if budget_cost is not None:
            k = min(k, int(np.searchsorted(cum, budget_cost + 1e-9, side="right")) - 1)
        at = curve.iloc[k]
        rows.append(
            {
                "strategy": name,
                "r_index": r_index(curve),
                "r_index_budget": r_index(curve, budget=k) if k >= 1 else float("nan"),
                "budget": k,
                "cost_at_budget": float(cum[k]),
                "lcc_fraction_at_budget": float(at["lcc_fraction"]),
                "reachability_at_budget": float(at["victims_reachable_fraction"]),
                "seconds": seconds,
                "uses_ground_truth": info.needs_pairs,
            }
        )
        rankings.append(ranking)
        curves.append(curve.assign(strategy=name))
    cols = ["strategy", "k", "fraction_removed", "lcc_fraction", "victims_reachable_fraction"]
    return DisruptionResult(
        rankings=pd.concat(rankings, ignore_index=True) if rankings else pd.DataFrame(columns=RANKING_COLUMNS),
        curves=pd.concat(curves, ignore_index=True)[cols] if curves else pd.DataFrame(columns=cols),
        summary=pd.DataFrame(rows, columns=SUMMARY_COLUMNS),
        skipped=skipped,
        params={
            "budget": budget,
            "budget_nodes": kmax,
            "budget_cost": budget_cost,
            "costs": dict(costs or {}),
            "seed": seed,
            "n": n,
            "m": graph.ecount(),
            "labelled": labelled,
        },
    )


def cluster_disruption_points(
    graph: ig.Graph,
    clusters: pd.DataFrame,
    *,
    top: int = 5,
    per_cluster: int = 5,
    strategy: str = "betweenness_adaptive",
    costs: Mapping[str, float] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Rank disruption points inside the top detected clusters (for reports and the demo).

    For each of the `top` clusters with the highest ``score``, the strategy
    runs on the subgraph of the cluster's members and their direct neighbours
    (the phones, accounts and addresses that tie them), and the first
    `per_cluster` nodes are reported with the cluster's largest-component
    share after removing them.

    Parameters
    ----------
    graph : igraph.Graph
        The graph the clusters were found on (node ids = vertex names).
    clusters : pandas.DataFrame
        A ``clusters`` table: cluster_id, members (list of node ids), score.
    top, per_cluster : int
        Clusters to cover and points per cluster.
    strategy : str, default 'betweenness_adaptive'
        A registered strategy that does not need labels.
    costs : mapping of str to float, optional
        Cost of action per label (cost-aware ranking).
    seed : int, default 0
        Passed to the strategy.

    Returns
    -------
    pandas.DataFrame
        cluster_id, rank (int64), node_id, label (string), strategy (str),
        lcc_fraction_after (float64: the neighbourhood's largest component
        share after removing ranks 1..rank).

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters or member ids that are not vertices.

    Notes
    -----
    The strategy's cost on each cluster neighbourhood.

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (0, 2), (0, 3), (4, 5)])
    >>> g.vs["name"] = list("abcdef")
    >>> cl = pd.DataFrame({"cluster_id": [1], "members": [["a", "b"]], "score": [0.9]})
    >>> cluster_disruption_points(g, cl, per_cluster=1, strategy="degree")["node_id"].tolist()
    ['a']
    """
    func = "cluster_disruption_points"
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    check_interval(top, param="top", func=func, low=1, closed="left", integer=True)
    check_interval(per_cluster, param="per_cluster", func=func, low=1, closed="left", integer=True)
    check_choice(strategy, strategies(needs_pairs=False), param="strategy", func=func)
    cols = ["cluster_id", "rank", "node_id", "label", "strategy", "lcc_fraction_after"]
    top_clusters = clusters.sort_values("score", ascending=False, kind="stable").head(top)
    out = []
    for cid, members in zip(top_clusters["cluster_id"], top_clusters["members"], strict=True):
        idx = node_index(graph, list(members), param="clusters", func=func)
        hood = sorted({u for v in idx.tolist() for u in graph.neighborhood(v, order=1)})
        sub = graph.induced_subgraph(hood)
        if "name" not in sub.vertex_attributes():
            sub.vs["name"] = hood
        r = get_strategy(strategy).func(sub, budget=per_cluster, seed=seed, costs=costs)
        curve = robustness_curve(sub, r)
        out.append(r.assign(cluster_id=cid, lcc_fraction_after=curve["lcc_fraction"].to_numpy()[1:]))
    if not out:
        return pd.DataFrame(columns=cols)
    return pd.concat(out, ignore_index=True)[cols]
