"""Near-optimal removal sequences for investigative-size networks: simulated annealing seeded by the heuristics.

The heuristics of :mod:`crimnet.graphs.disrupt` rank nodes greedily; on a
network of a few hundred or thousand people a direct search over removal
sequences does better. :func:`optimise_removals` searches the first ``k``
removals for the measure asked:

- ``'lcc_sum'``: the sum over ``j = 1..k`` of the largest connected
  component's size after the first ``j`` removals (Cavallaro et al. 2020 report
  it for k = 20); divided by ``k n`` it is the R-index to a budget of ``k``
  nodes (Schneider et al. 2011), so one search serves both;
- ``'lcc_at_k'``: the largest component after all ``k`` removals (the critical
  node problem).

It starts from the best of the heuristics' sequences (every registered
strategy that needs no labels, or the rankings given) and runs simulated
annealing over sequences (replace one removed node by another, swap two
positions, move one node); it returns the best sequence it has seen, so it is
never worse than its seed, by construction.

References
----------
.. [1] S. Kirkpatrick, C. D. Gelatt and M. P. Vecchi, "Optimization by
   simulated annealing", Science 220, 671-680 (1983). doi:10.1126/science.220.4598.671
.. [2] L. Cavallaro et al., "Disrupting resilient criminal networks through
   data analysis: the case of Sicilian Mafia", PLoS ONE 15(8), e0236476
   (2020). doi:10.1371/journal.pone.0236476
.. [3] M. Lalou, M. A. Tahraoui and H. Kheddouci, "The critical node detection
   problem in networks: a survey", Comput. Sci. Rev. 28, 92-117 (2018).
   doi:10.1016/j.cosrev.2018.02.002
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_choice, check_interval
from crimnet.graphs.arrays import node_index
from crimnet.graphs.disrupt.ordering import prepare
from crimnet.graphs.disrupt.registry import get_strategy, strategies

__all__ = ["OBJECTIVES", "OptimisedRemovals", "lcc_after_removals", "optimise_removals"]

OBJECTIVES = ("lcc_sum", "lcc_at_k")
"""What :func:`optimise_removals` minimises: the sum of LCC sizes over j = 1..k, or the LCC after k removals."""


@dataclass(frozen=True)
class OptimisedRemovals:
    """The outcome of :func:`optimise_removals`.

    Attributes
    ----------
    ranking : pandas.DataFrame
        A full removal order (``ranking`` columns, strategy ``'optimised'``):
        the optimised first ``k`` nodes, then adaptive degree.
    lcc : list of int
        Largest component size after ``j = 1..k`` removals of that order.
    value : int
        The objective of the order (smaller is better).
    seed_value : int
        The objective of the best heuristic, where the search started.
    seed_strategy : str
        The heuristic that gave the start.
    heuristics : dict of str to int
        The objective of every heuristic tried.
    evaluations : int
        Sequences evaluated.
    seconds : float
        Wall time of the search (heuristics excluded).
    """

    ranking: pd.DataFrame
    lcc: list[int]
    value: int
    seed_value: int
    seed_strategy: str
    heuristics: dict[str, int]
    evaluations: int
    seconds: float


class _Evaluator:
    """LCC sizes after each removal of a short sequence: one reverse union-find pass, O((n + m) alpha(n))."""

    def __init__(self, n: int, indptr: np.ndarray, indices: np.ndarray):
        self.n = n
        self.ip = indptr.tolist()
        self.ind = indices.tolist()
        src = np.repeat(np.arange(n), np.diff(indptr))
        keep = src < indices
        self.edges = list(zip(src[keep].tolist(), indices[keep].tolist(), strict=True))
        self.calls = 0

    def lcc(self, seq: Sequence[int]) -> list[int]:
        self.calls += 1
        n, ip, ind = self.n, self.ip, self.ind
        parent = list(range(n))
        size = [1] * n
        present = [True] * n
        for v in seq:
            present[v] = False

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for a, b in self.edges:
            if present[a] and present[b]:
                ra, rb = find(a), find(b)
                if ra != rb:
                    if size[ra] < size[rb]:
                        ra, rb = rb, ra
                    parent[rb] = ra
                    size[ra] += size[rb]
        best = max((size[v] for v in range(n) if present[v] and parent[v] == v), default=0)
        out = [0] * len(seq)
        for i in range(len(seq) - 1, -1, -1):
            out[i] = best
            v = seq[i]
            present[v] = True
            for j in range(ip[v], ip[v + 1]):
                u = ind[j]
                if present[u]:
                    ru, rv = find(u), find(v)
                    if ru != rv:
                        if size[ru] < size[rv]:
                            ru, rv = rv, ru
                        parent[rv] = ru
                        size[ru] += size[rv]
                        if size[ru] > best:
                            best = size[ru]
        return out


def lcc_after_removals(graph: ig.Graph, ranking: pd.DataFrame | Iterable[Any]) -> list[int]:
    """Return the largest connected component's size after each removal of a sequence.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    ranking : pandas.DataFrame or iterable of node ids
        A ``ranking`` (its ``node_id`` column) or node ids (vertex names),
        first removed first; distinct.

    Returns
    -------
    list of int
        Entry ``j - 1`` is the size (nodes) after the first ``j`` removals.

    Raises
    ------
    crimnet.errors.ParameterError
        On unknown or repeated nodes.

    Notes
    -----
    One reverse union-find pass: O((n + m) alpha(n)).

    Examples
    --------
    >>> lcc_after_removals(ig.Graph([(0, 1), (1, 2), (2, 3)]), [1, 2])
    [2, 1]
    """
    func = "lcc_after_removals"
    ctx = prepare(graph, func)
    ids = ranking["node_id"] if isinstance(ranking, pd.DataFrame) else ranking
    seq = node_index(graph, list(ids), param="ranking", func=func).tolist()
    if len(set(seq)) != len(seq):
        raise ParameterError(f"The 'ranking' parameter of {func} must list distinct nodes. Got {seq!r} instead.")
    return _Evaluator(ctx.n, ctx.indptr, ctx.indices).lcc(seq)


def _value(lcc: list[int], objective: str) -> int:
    return sum(lcc) if objective == "lcc_sum" else lcc[-1]


def optimise_removals(
    graph: ig.Graph,
    *,
    k: int | None = None,
    objective: str = "lcc_sum",
    seeds: Iterable[pd.DataFrame] | None = None,
    iterations: int = 20_000,
    time_limit: float | None = None,
    seed: int = 0,
) -> OptimisedRemovals:
    """Search the first `k` removals that minimise the largest component, starting from the best heuristic.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple; up to a few thousand nodes (each
        step evaluates a sequence in O(n + m)).
    k : int, optional
        Number of removals searched (1 <= k <= n); default ``min(20, n)``, the
        published measure.
    objective : {'lcc_sum', 'lcc_at_k'}, default 'lcc_sum'
        Sum of the largest component's size after 1..k removals (``k n`` times
        the R-index to a budget of k), or its size after k removals.
    seeds : iterable of pandas.DataFrame, optional
        Rankings to start from (their first `k` nodes); default every
        registered strategy that needs no labels, run with ``budget=k``.
    iterations : int, default 20000
        Annealing steps.
    time_limit : float, optional
        Stop after this many seconds of search.
    seed : int, default 0
        Seed of the heuristics' tie-breaks and of the search.

    Returns
    -------
    OptimisedRemovals
        The best sequence seen, its curve and value, and the heuristics'.

    Raises
    ------
    crimnet.errors.ParameterError
        On bad parameters, or seeds naming unknown nodes.

    Notes
    -----
    Simulated annealing (Kirkpatrick et al. 1983) over sequences of `k`
    distinct nodes. A step replaces a removed node by one not removed (half
    the time a neighbour of a removed node), swaps two positions or moves one
    node to another position; a worse sequence is accepted with probability
    ``exp(-delta / T)``, T falling geometrically from ``max(1, value / (20 k))``
    to a hundredth of it. The best sequence seen is kept, so the result is never
    worse than the seed. Time O(iterations (n + m)): about 3,500 steps a
    second on the Montagna meetings network (101 nodes, 256 ties), where
    2,000 steps take the sum of LCC over k = 1..20 from 545 (sequential
    betweenness, the published figure) to 522.

    Examples
    --------
    A path of 7 nodes: two removals (2 and 4, say) leave pieces of at most 2
    nodes.

    >>> res = optimise_removals(ig.Graph.Ring(7, circular=False), k=2, objective="lcc_at_k", iterations=200)
    >>> res.value, res.value <= res.seed_value
    (2, True)
    """
    func = "optimise_removals"
    ctx = prepare(graph, func, seed=seed)
    k = min(20, ctx.n) if k is None else k
    check_interval(k, param="k", func=func, low=1, high=max(1, ctx.n), closed="both", integer=True)
    check_choice(objective, OBJECTIVES, param="objective", func=func)
    check_interval(iterations, param="iterations", func=func, low=0, closed="left", integer=True)
    if time_limit is not None:
        check_interval(time_limit, param="time_limit", func=func, low=0)
    if seeds is None:
        names = strategies(needs_pairs=False)
        seeds = [get_strategy(name).func(graph, budget=k, seed=seed) for name in names]
    evaluator = _Evaluator(ctx.n, ctx.indptr, ctx.indices)
    heuristics: dict[str, int] = {}
    best_seq: list[int] = []
    best = math.inf
    start_name = ""
    for i, ranking in enumerate(seeds):
        seq = node_index(graph, ranking["node_id"].head(k), param="seeds", func=func).tolist()
        seq = ctx.degree_adaptive_order(seq)[:k] if len(seq) < k else seq  # a short seed is completed
        name = str(ranking["strategy"].iloc[0]) if "strategy" in ranking and len(ranking) else f"seed {i}"
        val = _value(evaluator.lcc(seq), objective)
        heuristics[name] = val
        if val < best:
            best, best_seq, start_name = val, seq, name
    if not best_seq:
        best_seq = ctx.degree_adaptive_order()[:k]
        start_name = "degree_adaptive"
        best = _value(evaluator.lcc(best_seq), objective)
    seed_value = int(best)
    started = time.perf_counter()
    cur_seq, cur = list(best_seq), best
    rng = np.random.default_rng(seed)
    t0 = max(1.0, cur / (20 * k))
    cooling = 0.01 ** (1.0 / max(1, iterations))
    temp = t0
    ip, ind = evaluator.ip, evaluator.ind
    for _ in range(iterations):
        if time_limit is not None and time.perf_counter() - started > time_limit:
            break
        temp *= cooling
        cand = list(cur_seq)
        move = rng.random()
        if move < 0.6 or k == 1:  # replace a removed node by another
            i = int(rng.integers(k))
            inside = set(cand)
            if rng.random() < 0.5:
                v = cand[int(rng.integers(k))]
                nb = [u for u in ind[ip[v] : ip[v + 1]] if u not in inside]
                new = nb[int(rng.integers(len(nb)))] if nb else int(rng.integers(ctx.n))
            else:
                new = int(rng.integers(ctx.n))
            if new in inside:
                continue
            cand[i] = new
        elif move < 0.8:  # swap two positions
            i, j = rng.choice(k, size=2, replace=False).tolist()
            cand[i], cand[j] = cand[j], cand[i]
        else:  # move one node to another position
            i, j = rng.choice(k, size=2, replace=False).tolist()
            cand.insert(j, cand.pop(i))
        val = _value(evaluator.lcc(cand), objective)
        if val <= cur or rng.random() < math.exp(-(val - cur) / temp):
            cur_seq, cur = cand, val
            if val < best:
                best, best_seq = val, cand
    seconds = time.perf_counter() - started
    order = ctx.degree_adaptive_order(best_seq)  # the rest by adaptive degree, so the order lists every node
    ranking = ctx.finish(order, "optimised", k=k, objective=objective, seed_strategy=start_name)
    return OptimisedRemovals(
        ranking=ranking,
        lcc=evaluator.lcc(best_seq),
        value=int(best),
        seed_value=seed_value,
        seed_strategy=start_name,
        heuristics=heuristics,
        evaluations=evaluator.calls,
        seconds=seconds,
    )
