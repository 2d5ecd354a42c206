"""Networks that recover: removal curves when the survivors rewire after each arrest.

Criminal networks are not static targets: after an arrest the removed
member's contacts recruit, rewire and replace (Duijn, Kashirin & Sloot 2014,
"The relative ineffectiveness of criminal network disruption", Sci. Rep. 4,
4238). :func:`recovery_curve` replays a removal order on a network that
recovers after each removal, and returns the immediate curve (no recovery,
as :func:`~crimnet.graphs.disrupt.robustness.robustness_curve`) beside the
curve after recovery. Two recovery rules:

- ``'broker'`` (the default): the removed node's role is taken over by the
  surviving neighbour most similar to it (most shared neighbours, Jaccard;
  ties to the higher degree, then the lower vertex index); each other
  orphaned neighbour ties to that broker with probability `p`;
- ``'neighbours'``: the orphaned neighbours close ranks, each pair of them
  tying with probability `p` (triadic closure).

The order itself does not adapt to the recovered network (it is the
strategy's plan, made before the first arrest); nodes are never added, so
shares are of the original ``n`` nodes. With ``p = 0`` the two curves are
identical, and since recovery only adds ties the recovered largest
component is never smaller than the immediate one.

References
----------
.. [1] P. A. C. Duijn, V. Kashirin and P. M. A. Sloot, "The relative
   ineffectiveness of criminal network disruption", Sci. Rep. 4, 4238 (2014).
   doi:10.1038/srep04238
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import bad_parameter, check_choice, check_interval
from crimnet.graphs.arrays import check_graph, csr_arrays, node_index
from crimnet.graphs.disrupt.robustness import robustness_curve

__all__ = ["RECOVERY_COLUMNS", "RECOVERY_MODES", "RECOVERY_SUMMARY_COLUMNS", "compare_recovery", "recovery_curve"]

RECOVERY_MODES = ("broker", "neighbours")
"""How the survivors rewire after a removal (see the module docstring)."""

RECOVERY_COLUMNS = ["k", "fraction_removed", "lcc_fraction", "lcc_fraction_recovered", "ties_added"]
"""Columns of :func:`recovery_curve`."""

RECOVERY_SUMMARY_COLUMNS = [
    "strategy",
    "budget",
    "r_index_budget",
    "r_index_budget_recovered",
    "lcc_fraction_at_budget",
    "lcc_fraction_recovered_at_budget",
    "ties_added",
]
"""Columns of the summary of :func:`compare_recovery`."""


def _largest_component(adj: list[set[int]], present: list[bool]) -> int:
    """Size of the largest component of the present nodes (iterative search, O(n + m))."""
    seen = [False] * len(adj)
    best = 0
    for s in range(len(adj)):
        if not present[s] or seen[s]:
            continue
        seen[s] = True
        stack, size = [s], 0
        while stack:
            v = stack.pop()
            size += 1
            for u in adj[v]:
                if not seen[u]:
                    seen[u] = True
                    stack.append(u)
        best = max(best, size)
    return best


def _rewire(adj: list[set[int]], orphans: list[int], removed: set[int], mode: str, p: float, rng: Any) -> int:
    """Add the recovery ties among the sorted `orphans` of one removal; return how many were added."""
    added = 0
    if mode == "broker":
        if len(orphans) < 2:
            return 0

        # the most similar survivor takes over: Jaccard overlap with the removed node's neighbourhood
        def similarity(u: int) -> tuple[float, int, int]:
            nb = adj[u]
            union = len(nb | removed) or 1
            return (len(nb & removed) / union, len(nb), -u)

        broker = max(orphans, key=similarity)
        for u in orphans:
            if u != broker and u not in adj[broker] and rng.random() < p:
                adj[broker].add(u)
                adj[u].add(broker)
                added += 1
        return added
    for i, a in enumerate(orphans):
        for b in orphans[i + 1 :]:
            if b not in adj[a] and rng.random() < p:
                adj[a].add(b)
                adj[b].add(a)
                added += 1
    return added


def recovery_curve(
    graph: ig.Graph,
    ranking: pd.DataFrame | Sequence[Any],
    *,
    p: float = 0.5,
    mode: str = "broker",
    k: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Replay a removal order on a network whose survivors rewire after each removal.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    ranking : pandas.DataFrame or sequence
        A ``ranking`` (``node_id`` by ``rank``) or node ids, first removed first.
    p : float in [0, 1], default 0.5
        Probability of each recovery tie (see the module docstring).
    mode : {'broker', 'neighbours'}, default 'broker'
        The recovery rule.
    k : int, optional
        Only the first `k` removals (default every node of the ranking).
    seed : int, default 0
        Seed of the recovery draws.

    Returns
    -------
    pandas.DataFrame
        ``k`` (int64, removals so far), ``fraction_removed`` (float64, k / n),
        ``lcc_fraction`` (float64, largest component / n without recovery),
        ``lcc_fraction_recovered`` (float64, the same after recovery) and
        ``ties_added`` (int64, recovery ties so far); rows k = 0 .. K.

    Raises
    ------
    crimnet.errors.ParameterError
        On an empty graph, unknown or repeated nodes, or bad `p`, `mode`, `k`
        or `seed`.

    Notes
    -----
    One largest-component search per removal on the recovered graph:
    O(K (n + m)) time for K removals, O(n + m) memory, plus the rewiring
    (O(d^2) per removal of degree d with ``'neighbours'``, O(d^2) for the
    broker's similarity). Duijn et al. (2014), doi:10.1038/srep04238.

    Examples
    --------
    A star's hub removed: without recovery the leaves are isolated; with
    ``p = 1`` a broker leaf ties to all others and the network is whole again
    (less the hub).

    >>> g = ig.Graph.Star(5)
    >>> c = recovery_curve(g, [0], p=1.0)
    >>> c[["lcc_fraction", "lcc_fraction_recovered", "ties_added"]].values.tolist()[1]
    [0.2, 0.8, 3.0]
    """
    func = "recovery_curve"
    check_graph(graph, func, nonempty=True)
    check_interval(p, param="p", func=func, low=0, high=1, closed="both")
    check_choice(mode, RECOVERY_MODES, param="mode", func=func)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    immediate = robustness_curve(graph, ranking)  # checks the ranking
    if k is not None:
        check_interval(k, param="k", func=func, low=0, high=len(immediate) - 1, closed="both", integer=True)
        immediate = immediate.iloc[: k + 1]
    n = graph.vcount()
    ids = ranking["node_id"] if isinstance(ranking, pd.DataFrame) else list(ranking)
    order = node_index(graph, list(ids)[: len(immediate) - 1], param="ranking", func=func).tolist()
    indptr, indices = csr_arrays(graph)
    adj = [set(indices[indptr[v] : indptr[v + 1]].tolist()) for v in range(n)]
    present = [True] * n
    rng = np.random.default_rng(seed)
    recovered = [_largest_component(adj, present)]
    added = [0]
    for v in order:
        present[v] = False
        orphans = sorted(adj[v])
        lost = set(orphans)
        for u in orphans:
            adj[u].discard(v)
        adj[v] = set()
        added.append(added[-1] + _rewire(adj, orphans, lost, mode, p, rng))
        recovered.append(_largest_component(adj, present))
    out = immediate[["k", "fraction_removed", "lcc_fraction"]].reset_index(drop=True)
    out["lcc_fraction_recovered"] = np.asarray(recovered, dtype=np.float64) / n
    out["ties_added"] = np.asarray(added, dtype=np.int64)
    return out[RECOVERY_COLUMNS]


def compare_recovery(
    graph: ig.Graph,
    rankings: pd.DataFrame,
    *,
    p: float = 0.5,
    mode: str = "broker",
    k: int | None = None,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay every strategy's order on a recovering network: curves and a summary beside the immediate effect.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    rankings : pandas.DataFrame
        Rankings of one or more strategies (``strategy``, ``rank``,
        ``node_id``), e.g. ``DisruptionResult.rankings``.
    p, mode, seed
        As in :func:`recovery_curve` (every strategy gets the same `seed`).
    k : int, optional
        Removals replayed per strategy (its order's length at most); default
        every node of each order.

    Returns
    -------
    curves : pandas.DataFrame
        ``strategy`` then :data:`RECOVERY_COLUMNS`, rows k = 0 .. K per strategy.
    summary : pandas.DataFrame
        One row per strategy: ``strategy``, ``budget`` (K), ``r_index_budget``
        and ``r_index_budget_recovered`` (mean LCC share over k = 1..K without
        and with recovery), ``lcc_fraction_at_budget``,
        ``lcc_fraction_recovered_at_budget`` and ``ties_added`` (at K).

    Raises
    ------
    crimnet.errors.ParameterError
        On rankings without ``strategy`` or ``node_id``, or bad `p`, `mode`,
        `k` or `seed`.

    Notes
    -----
    One :func:`recovery_curve` per strategy: O(S K (n + m)) for S strategies.

    Examples
    --------
    >>> g = ig.Graph.Star(5)
    >>> r = pd.DataFrame({"strategy": "hub", "rank": [1, 2], "node_id": [0, 1]})
    >>> _, s = compare_recovery(g, r, p=1.0, k=1)
    >>> s[["budget", "lcc_fraction_at_budget", "lcc_fraction_recovered_at_budget"]].values.tolist()
    [[1.0, 0.2, 0.8]]
    """
    func = "compare_recovery"
    check_graph(graph, func, nonempty=True)
    check_interval(p, param="p", func=func, low=0, high=1, closed="both")
    check_choice(mode, RECOVERY_MODES, param="mode", func=func)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    columns = list(getattr(rankings, "columns", ()))
    if "strategy" not in columns or "node_id" not in columns:
        raise bad_parameter("rankings", func, "a rankings DataFrame with 'strategy' and 'node_id' columns", columns)
    if k is not None:
        check_interval(k, param="k", func=func, low=0, closed="left", integer=True)
    curves, rows = [], []
    for name, ranking in rankings.groupby("strategy", sort=False):
        ranking = ranking.sort_values("rank", kind="stable") if "rank" in ranking else ranking
        kk = len(ranking) if k is None else min(k, len(ranking))
        c = recovery_curve(graph, ranking, p=p, mode=mode, k=kk, seed=seed)
        steps = c.iloc[1:]
        last = c.iloc[-1]
        rows.append(
            {
                "strategy": name,
                "budget": kk,
                "r_index_budget": float(steps["lcc_fraction"].mean()) if kk else float("nan"),
                "r_index_budget_recovered": float(steps["lcc_fraction_recovered"].mean()) if kk else float("nan"),
                "lcc_fraction_at_budget": float(last["lcc_fraction"]),
                "lcc_fraction_recovered_at_budget": float(last["lcc_fraction_recovered"]),
                "ties_added": int(last["ties_added"]),
            }
        )
        curves.append(c.assign(strategy=name)[["strategy", *RECOVERY_COLUMNS]])
    cols = ["strategy", *RECOVERY_COLUMNS]
    return (
        pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(columns=cols),
        pd.DataFrame(rows, columns=RECOVERY_SUMMARY_COLUMNS),
    )
