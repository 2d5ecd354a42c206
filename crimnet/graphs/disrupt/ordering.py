"""The machinery every strategy shares: from a graph and a score to a budgeted removal order.

A strategy call starts with :func:`prepare`, which checks the common
parameters and returns an :class:`OrderingContext`: the graph's simple
adjacency as CSR arrays, each node's cost of action, a seeded tie-break and
the budgets. The context's methods build removal orders as arrays of vertex
indices (:meth:`~OrderingContext.static_order` sorts by a score once,
:meth:`~OrderingContext.degree_adaptive_order` and
:meth:`~OrderingContext.block_adaptive_order` recompute as nodes go,
:meth:`~OrderingContext.complete` appends adaptive degree to an order that ran
out of meaningful scores) and :meth:`~OrderingContext.finish` turns one into a
``ranking`` DataFrame, applying the node and cost budgets.

A ``ranking`` has the columns :data:`RANKING_COLUMNS`: ``rank`` (int64,
1-based), ``node_id`` (the vertex ``name``, or its index when unnamed),
``label`` (the vertex ``label``, or NA) and ``strategy`` (str).
:func:`score_ranking` makes a ranking out of any node score, which is the
quickest way to write a new strategy (see :mod:`crimnet.graphs.disrupt`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_interval, check_type
from crimnet.graphs.arrays import csr_arrays, node_ids, node_index
from crimnet.graphs.disrupt.weights import csr_strengths

__all__ = [
    "ADAPTIVE_WORK",
    "DEFAULT_COSTS",
    "RANKING_COLUMNS",
    "OrderingContext",
    "ScoreFunction",
    "TIE_RULES",
    "cost_vector",
    "node_labels",
    "prepare",
    "score_ranking",
]

#: Cost of action per node label, in arbitrary effort units: an arrest costs ten
#: times a phone seizure or an account freeze. Read-only; pass your own mapping
#: as ``costs`` to override it for an investigation.
DEFAULT_COSTS: Mapping[str, float] = MappingProxyType(
    {
        "Person": 10.0,
        "Account": 1.0,
        "Phone": 1.0,
        "Address": 3.0,
        "Vehicle": 2.0,
        "Business": 5.0,
    }
)

RANKING_COLUMNS = ["rank", "node_id", "label", "strategy"]

#: Work bound of the default block size (see :meth:`OrderingContext.block_size`), in
#: elementary steps (edge visits of compiled code): recomputations times the work
#: of one. 10^9 keeps every bundled network at one node per recomputation to the
#: budgets researchers use (20 removals, 5% of the nodes), and full orders of exact
#: betweenness up to about 700 nodes (seconds); a run's whole case graph (tens of
#: thousands of nodes, 1% budget) gets a few blocks instead of minutes of recomputing.
ADAPTIVE_WORK = 1_000_000_000

TIE_RULES = ("seeded", "order", "last")
"""How score ties are broken: a seeded permutation after the degree, the first vertex in the graph's order
(networkx's ``max``), or the last one (a stable ascending sort's last element: Cavallaro et al. 2020's code)."""

ScoreFunction = Callable[[ig.Graph, np.ndarray], np.ndarray]
"""``score(graph, alive) -> scores``: a score per vertex of the remaining graph, for block-adaptive orders."""


def node_labels(graph: ig.Graph) -> list[str | None]:
    """Return each vertex's ``label`` attribute, None where it is missing or not a string.

    Parameters
    ----------
    graph : igraph.Graph
        Any graph.

    Returns
    -------
    list of str or None
        One entry per vertex, in vertex order; all None when the graph has no
        ``label`` attribute.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not an igraph graph.

    Notes
    -----
    O(n).

    Examples
    --------
    >>> g = ig.Graph(2)
    >>> g.vs["label"] = ["Phone", None]
    >>> node_labels(g)
    ['Phone', None]
    """
    check_type(graph, ig.Graph, param="graph", func="node_labels", expected="an igraph.Graph")
    if "label" in graph.vertex_attributes():
        return [lab if isinstance(lab, str) else None for lab in graph.vs["label"]]
    return [None] * graph.vcount()


def cost_vector(graph: ig.Graph, costs: Mapping[str, float] | None = None, func: str = "cost_vector") -> np.ndarray:
    """Return each vertex's cost of action, looked up by its label.

    Parameters
    ----------
    graph : igraph.Graph
        Any graph; its vertex ``label`` attribute is read.
    costs : mapping of str to float, optional
        Cost per label (see :data:`DEFAULT_COSTS`); unknown or missing labels
        cost 1. Default: every node costs 1.
    func : str, default 'cost_vector'
        The public function named in error messages.

    Returns
    -------
    numpy.ndarray
        float64, one cost per vertex.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not an igraph graph, `costs` is not a mapping, or a cost
        is not a positive number.

    Notes
    -----
    O(n + number of labels).

    Examples
    --------
    >>> g = ig.Graph(3)
    >>> g.vs["label"] = ["Person", "Phone", "Boat"]
    >>> cost_vector(g, DEFAULT_COSTS).tolist()
    [10.0, 1.0, 1.0]
    """
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
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
    return np.array([float(costs.get(lab, 1.0)) if lab is not None else 1.0 for lab in node_labels(graph)])


@dataclass(frozen=True)
class OrderingContext:
    """What one strategy call needs to build its removal order; made by :func:`prepare`.

    Orders are arrays or lists of vertex indices, first removed first. Every
    node score is divided by the node's cost, so with costs a strategy ranks
    by benefit per unit cost; remaining ties go to the seeded permutation
    `tiebreak` (lower first).

    Attributes
    ----------
    graph : igraph.Graph
        The graph as given.
    func : str
        The public function being run, for error messages.
    n : int
        Number of vertices.
    indptr, indices : numpy.ndarray
        CSR arrays of the symmetric simple adjacency
        (:func:`crimnet.graphs.arrays.csr_arrays`).
    cost : numpy.ndarray
        Cost of action of each vertex (:func:`cost_vector`).
    tiebreak : numpy.ndarray
        A permutation of ``0 .. n-1`` drawn from `seed`: each vertex's
        tie-break priority.
    budget : int or None
        Largest number of nodes the ranking may list.
    budget_cost : float or None
        Largest total cost of the nodes the ranking lists.
    seed : int
        The call's seed.
    strength : numpy.ndarray or None
        Strength of each CSR entry (aligned with `indices`), or None for an
        unweighted run (:func:`~crimnet.graphs.disrupt.weights.csr_strengths`).
    ties : {'seeded', 'order', 'last'}
        'seeded': ties on the score go to the higher degree, then to `tiebreak`
        (a seeded permutation); 'order': straight to the first vertex in the
        graph's order (`tiebreak` is ``0 .. n-1``), as networkx's ``max`` does;
        'last': to the last vertex (`tiebreak` is ``n-1 .. 0``), as the last
        element of a stable ascending sort, the rule of Cavallaro et al.
        (2020)'s code. The last two reproduce published sequences.
    """

    graph: ig.Graph
    func: str
    n: int
    indptr: np.ndarray
    indices: np.ndarray
    cost: np.ndarray
    tiebreak: np.ndarray
    budget: int | None
    budget_cost: float | None
    seed: int
    strength: np.ndarray | None = None
    ties: str = "seeded"

    @property
    def degree(self) -> np.ndarray:
        """Degree of each vertex in the simple graph (int64)."""
        return np.diff(self.indptr)

    @property
    def node_strength(self) -> np.ndarray:
        """Weighted degree (sum of tie strengths) of each vertex; the degree (float64) when unweighted."""
        if self.strength is None:
            return self.degree.astype(np.float64)
        return np.bincount(np.repeat(np.arange(self.n), self.degree), weights=self.strength, minlength=self.n)

    @property
    def stop(self) -> int:
        """How many nodes an order must list at least (all, or the node budget)."""
        return self.n if self.budget is None else min(self.n, self.budget)

    def unbudgeted(self) -> OrderingContext:
        """Return the same context without node or cost budget.

        Returns
        -------
        OrderingContext
            A copy whose orders list every node (e.g. to find a dismantling
            set before the budget is applied).

        Notes
        -----
        O(1): the arrays are shared.
        """
        return replace(self, budget=None, budget_cost=None)

    def working_graph(self) -> ig.Graph:
        """Return a fresh simple undirected copy of the graph, to delete edges from.

        Returns
        -------
        igraph.Graph
            ``n`` vertices (no attributes) and one edge per adjacent pair; in a
            weighted run the edges carry ``strength`` and ``length``
            (``1 / strength``), which edge deletions keep aligned.

        Notes
        -----
        O(n + m).
        """
        src = np.repeat(np.arange(self.n), np.diff(self.indptr))
        keep = src < self.indices
        g = ig.Graph(n=self.n, edges=np.stack([src[keep], self.indices[keep]], axis=1).tolist())
        if self.strength is not None:
            g.es["strength"] = self.strength[keep].tolist()
            g.es["length"] = (1.0 / self.strength[keep]).tolist()
        return g

    def block_size(self, block_fraction: float | None = None, *, work: float | None = None) -> int:
        """Return how many nodes a block-adaptive strategy removes between two recomputations.

        Parameters
        ----------
        block_fraction : float in (0, 1], optional
            The block as a share of the nodes. Default: from the graph's size
            and the budget, one node at a time whenever :attr:`stop`
            recomputations of `work` steps each stay within
            :data:`ADAPTIVE_WORK`; else the smallest block that does, and never
            more than 1% of the nodes.
        work : float, optional
            Elementary steps of one recomputation of the strategy's scores
            (default ``100 (n + m)``: one pass of Python over the graph;
            exact betweenness is ``n (n + m)``).

        Returns
        -------
        int
            ``ceil(block_fraction * n)``, at least 1; by default
            ``max(1, min(ceil(0.01 n), ceil(stop * work / ADAPTIVE_WORK)))``.

        Raises
        ------
        crimnet.errors.ParameterError
            If `block_fraction` is not in (0, 1] (named after :attr:`func`).

        Notes
        -----
        O(1). Published sequential attacks (Cavallaro et al. 2020, PLoS ONE
        15(8), doi:10.1371/journal.pone.0236476) recompute after every removal;
        any block above 1 departs from them, so investigative-size networks
        (every bundled one) are attacked one node at a time, and larger ones
        or longer budgets in the fewest blocks the work bound allows. From
        about 100,000 nodes on the default is 1% of the nodes, as before.
        """
        if block_fraction is None:
            if work is None:
                work = 100.0 * (self.n + len(self.indices) // 2)
            return max(1, min(math.ceil(0.01 * self.n), math.ceil(self.stop * work / ADAPTIVE_WORK)))
        check_interval(block_fraction, param="block_fraction", func=self.func, low=0, high=1, closed="right")
        return max(1, math.ceil(block_fraction * self.n))

    def static_order(self, score: np.ndarray, *, secondary: np.ndarray | None = None) -> np.ndarray:
        """Order every node by score / cost (descending), then secondary / cost, then the tie-break.

        Parameters
        ----------
        score : numpy.ndarray
            One score per vertex; higher is removed first.
        secondary : numpy.ndarray, optional
            Breaks ties on the score (e.g. the degree).

        Returns
        -------
        numpy.ndarray
            Every vertex index, first removed first.

        Notes
        -----
        One lexicographic sort: O(n log n).
        """
        keys = [self.tiebreak]
        if secondary is not None and self.ties == "seeded":
            keys.append(-secondary / self.cost)
        keys.append(-score / self.cost)
        return np.lexsort(keys)

    def degree_adaptive_order(self, prefix: Sequence[int] = ()) -> list[int]:
        """Remove the `prefix` nodes, then repeatedly the node of highest current degree (strength) / cost.

        Parameters
        ----------
        prefix : sequence of int, default ()
            Vertex indices already removed, in order.

        Returns
        -------
        list of int
            `prefix` followed by the adaptive-degree order of the other nodes,
            :attr:`stop` nodes long at most (or `prefix` itself if longer).

        Notes
        -----
        A lazy max-heap updated for the neighbours of each removed node:
        O((n + m) log n) time, O(n + m) memory. Adaptive (recomputed) attacks
        are stronger than static ones: Holme, Kim, Yoon & Han (2002),
        doi:10.1103/PhysRevE.65.056109.
        """
        n = self.n
        ip = self.indptr.tolist()
        ind = self.indices.tolist()
        alive = [True] * n
        w = np.ones(len(self.indices)) if self.strength is None else self.strength
        deg = self.node_strength
        order = list(prefix)
        if order:
            alive_np = np.ones(n, bool)
            alive_np[np.asarray(order)] = False
            src = np.repeat(np.arange(n), np.diff(self.indptr))
            # current degree (strength): ties to neighbours that are still present
            live = alive_np[self.indices]
            deg = np.bincount(src[live], weights=w[live], minlength=n)
            alive = alive_np.tolist()
        cost = self.cost.tolist()
        tb = self.tiebreak.tolist()
        dl = deg.tolist()
        wl = w.tolist()
        heap = [(-dl[v] / cost[v], tb[v], v) for v in range(n) if alive[v]]
        heapq.heapify(heap)
        stop = self.stop
        while heap and len(order) < stop:
            key, _, v = heapq.heappop(heap)
            if not alive[v] or key != -dl[v] / cost[v]:
                continue
            alive[v] = False
            order.append(v)
            for j in range(ip[v], ip[v + 1]):
                u = ind[j]
                if alive[u]:
                    dl[u] -= wl[j]
                    heapq.heappush(heap, (-dl[u] / cost[u], tb[u], u))
        return order

    def complete(self, prefix: list[int]) -> list[int]:
        """Complete an order that ran out of meaningful scores with adaptive degree.

        Parameters
        ----------
        prefix : list of int
            Vertex indices removed so far, in order.

        Returns
        -------
        list of int
            `prefix` when it already has :attr:`stop` nodes, else
            ``degree_adaptive_order(prefix)``.

        Notes
        -----
        O((n + m) log n) when completing, O(1) otherwise.
        """
        if len(prefix) >= self.stop:
            return prefix
        return self.degree_adaptive_order(prefix)

    def block_adaptive_order(self, score: ScoreFunction, *, block: int, positive_only: bool = True) -> list[int]:
        """Score the remaining graph, remove the `block` best nodes, repeat; then :meth:`complete`.

        Parameters
        ----------
        score : callable
            ``score(graph, alive) -> values``, called on the working graph
            (edges of removed nodes deleted, vertex ids unchanged) with the mask
            of present vertices; one value per vertex.
        block : int
            Nodes removed between two calls of `score` (see :meth:`block_size`).
        positive_only : bool, default True
            Only nodes with a positive score are candidates.

        Returns
        -------
        list of int
            Vertex indices, first removed first, :attr:`stop` nodes long at most.

        Notes
        -----
        Candidates are the present, non-isolated nodes, by score / cost, then
        degree / cost, then the tie-break; the loop ends when no edge or no
        candidate is left. O(cost of `score` * n / block) plus the completion.
        """
        g = self.working_graph()
        alive = np.ones(self.n, dtype=bool)
        order: list[int] = []
        stop = self.stop
        while len(order) < stop and g.ecount() > 0:
            values = np.asarray(score(g, alive), dtype=np.float64)
            deg = np.asarray(g.degree())
            cand = alive & (deg > 0) & ((values > 0) if positive_only else True)
            idx = np.flatnonzero(cand)
            if not len(idx):
                break
            second = -deg[idx] / self.cost[idx] if self.ties == "seeded" else np.zeros(len(idx))
            take = idx[np.lexsort((self.tiebreak[idx], second, -values[idx] / self.cost[idx]))]
            take = take[: min(block, stop - len(order))]
            order.extend(take.tolist())
            alive[take] = False
            g.delete_edges(g.es.select(_incident=take.tolist()))
        return self.complete(order)

    def finish(self, order: Iterable[int], strategy: str, **params: Any) -> pd.DataFrame:
        """Return the ``ranking`` of an order, cut to the node and cost budgets.

        Parameters
        ----------
        order : iterable of int
            Vertex indices, first removed first.
        strategy : str
            The name written to the ``strategy`` column.
        **params
            Strategy parameters recorded in ``attrs``.

        Returns
        -------
        pandas.DataFrame
            ``ranking`` (columns :data:`RANKING_COLUMNS`): the first ``budget``
            nodes, then the longest prefix of those whose total cost is at most
            ``budget_cost``; ``attrs`` record the strategy, seed, budgets and
            `params`.

        Notes
        -----
        O(len(order)).
        """
        order = np.asarray(list(order) if not isinstance(order, np.ndarray) else order, dtype=np.int64)
        if self.budget is not None:
            order = order[: self.budget]
        if self.budget_cost is not None:
            within = np.cumsum(self.cost[order]) <= self.budget_cost + 1e-9
            order = order[: int(np.argmin(within)) if not within.all() else len(order)]
        ids = node_ids(self.graph)
        labels = node_labels(self.graph)
        out = pd.DataFrame(
            {
                "rank": np.arange(1, len(order) + 1, dtype=np.int64),
                "node_id": ids[order] if len(order) else np.empty(0, dtype=ids.dtype),
                "label": pd.array([labels[i] for i in order.tolist()], dtype="string"),
                "strategy": strategy,
            }
        )
        out.attrs = {
            "strategy": strategy,
            "seed": self.seed,
            "budget": self.budget,
            "budget_cost": self.budget_cost,
            **params,
        }
        return out


def prepare(
    graph: Any,
    func: str,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    weights: str = "ignore",
    ties: str = "seeded",
) -> OrderingContext:
    """Check a strategy's common parameters and return the :class:`OrderingContext` of the call.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple (directions, multi-edges and loops are
        dropped).
    func : str
        The public strategy function being run, named in error messages.
    budget : int, optional
        Keep only the first `budget` nodes of the order (>= 0; default every node).
    seed : int, default 0
        Seed of the tie-break permutation (>= 0).
    costs : mapping of str to float, optional
        Cost of action per node label (see :func:`cost_vector`).
    budget_cost : float, optional
        Keep the longest prefix whose total cost is at most this (>= 0).
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the ``weight`` edge attribute means
        (:mod:`~crimnet.graphs.disrupt.weights`); only strategies that
        consume weights pass anything but 'ignore'.
    ties : {'seeded', 'order', 'last'}, default 'seeded'
        How score ties are broken (see :class:`OrderingContext`).

    Returns
    -------
    OrderingContext
        The checked parameters, CSR adjacency, tie strengths, costs and tie-break.

    Raises
    ------
    crimnet.errors.ParameterError
        On a bad graph, budget, seed, costs or cost budget.

    Notes
    -----
    O(m log m) for the CSR arrays, O(n) for the rest.

    Examples
    --------
    >>> ctx = prepare(ig.Graph.Star(4), "my_ranking", budget=2)
    >>> ctx.degree.tolist(), ctx.stop
    ([3, 1, 1, 1], 2)
    >>> ctx.finish(ctx.static_order(ctx.degree.astype(float)), "my")["node_id"].tolist()[0]
    0
    """
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    if budget is not None:
        check_interval(budget, param="budget", func=func, low=0, closed="left", integer=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    if budget_cost is not None:
        check_interval(budget_cost, param="budget_cost", func=func, low=0, closed="left")
    n = graph.vcount()
    indptr, indices = csr_arrays(graph)
    cost = cost_vector(graph, costs, func)
    check_choice(ties, TIE_RULES, param="ties", func=func)
    if ties == "seeded":
        tiebreak = np.random.default_rng(seed).permutation(n)
    else:  # priority by position: the first vertex ('order') or the last ('last') wins a tie
        tiebreak = np.arange(n) if ties == "order" else np.arange(n - 1, -1, -1)
    strength = csr_strengths(graph, weights, func=func)
    return OrderingContext(
        graph, func, n, indptr, indices, cost, tiebreak, budget, budget_cost, int(seed), strength, ties
    )


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
    function with the strategy signature and pass that function to
    :func:`~crimnet.graphs.disrupt.compare.disrupt`, or register it (see
    :mod:`crimnet.graphs.disrupt`).

    Parameters
    ----------
    graph : igraph.Graph
        The graph the scores belong to.
    scores : pandas.Series
        Score per node, indexed by node id (vertex name); higher means remove
        earlier. Nodes without a score (or NaN) come after all scored nodes,
        by degree.
    budget, seed, costs, budget_cost
        See :func:`~crimnet.graphs.disrupt.attacks.random_ranking`; with
        `costs` the key is score / cost (scores should then be non-negative).
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
    ctx = prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)
    check_type(scores, pd.Series, param="scores", func=func, expected="a pandas Series indexed by node id")
    check_type(strategy, str, param="strategy", func=func, expected="a str")
    idx = node_index(graph, scores.index, param="scores", func=func)
    s = np.full(ctx.n, np.nan)
    s[idx] = scores.to_numpy(dtype=np.float64)
    scored = ~np.isnan(s)
    key = np.where(scored, s / ctx.cost, 0.0)
    order = np.lexsort((ctx.tiebreak, -ctx.degree / ctx.cost, -key, ~scored))
    return ctx.finish(order, strategy)
