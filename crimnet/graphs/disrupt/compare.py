"""Comparing strategies: run several on one graph and score their removal orders.

:func:`disrupt` runs strategies (registered names or functions with the
strategy signature) on a graph, times them, and scores each removal order with
its robustness curve, R-index and victim-controller reachability
(:mod:`crimnet.graphs.disrupt.robustness`), in full and at a node or cost
budget; :class:`DisruptionResult` holds the tables and writes them with a plot.
:func:`cluster_disruption_points` ranks disruption points inside the top
detected clusters, for reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, bad_parameter, check_choice, check_interval, check_type
from crimnet.frames import write_csv
from crimnet.graphs.arrays import node_index
from crimnet.graphs.disrupt.ordering import RANKING_COLUMNS, cost_vector
from crimnet.graphs.disrupt.registry import StrategyFunction, StrategyInfo, get_strategy, strategies
from crimnet.graphs.disrupt.robustness import CURVE_COLUMNS, r_index, robustness_curve
from crimnet.graphs.disrupt.weights import WEIGHT_MODES

__all__ = ["SUMMARY_COLUMNS", "DisruptionResult", "cluster_disruption_points", "disrupt"]

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
        for table, path in zip((self.summary, self.curves, self.rankings), paths, strict=False):
            write_csv(table, path)  # formula cells neutralised: analysts open these in spreadsheets
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
    """The node budget as a count: all nodes by default, a float as a fraction of `n` (at least 1 node)."""
    if budget is None:
        return n
    if isinstance(budget, float) and not isinstance(budget, bool):
        check_interval(budget, param="budget", func=func, low=0, high=1)
        return max(1, int(budget * n))
    check_interval(budget, param="budget", func=func, low=1, closed="left", integer=True)
    return min(int(budget), n)


def _resolve_strategies(
    chosen: Iterable[str | StrategyFunction] | None, func: str
) -> list[StrategyInfo | StrategyFunction]:
    """Registered strategies by name (all by default), callables as they are; unknown names are refused."""
    entries = strategies() if chosen is None else list(chosen)
    for entry in entries:
        if not callable(entry):
            check_choice(entry, strategies(with_attribute=True), param="strategies", func=func)
    return [entry if callable(entry) else get_strategy(entry) for entry in entries]


def _ranking_name(ranking: Any, run: StrategyFunction, func: str) -> str:
    """The name a callable strategy is reported under: its ranking's ``strategy`` value, else its ``__name__``."""
    name = getattr(run, "__name__", type(run).__name__)
    if not isinstance(ranking, pd.DataFrame):
        raise bad_parameter(
            "strategies", func, "registered names or functions returning a ranking DataFrame", f"{name} -> {ranking!r}"
        )
    if "strategy" in ranking.columns and len(ranking):
        return str(ranking["strategy"].iloc[0])
    return name


def _at_budget(
    graph: ig.Graph,
    ranking: pd.DataFrame,
    curve: pd.DataFrame,
    cost: np.ndarray,
    kmax: int,
    budget_cost: float | None,
    func: str,
) -> dict[str, Any]:
    """The summary numbers of one removal order: R-index in full and at the budget, cost, LCC and reachability."""
    order = node_index(graph, ranking["node_id"], param="ranking", func=func)
    cum = np.concatenate([[0.0], np.cumsum(cost[order])])
    k = min(kmax, len(ranking))
    if budget_cost is not None:
        k = min(k, int(np.searchsorted(cum, budget_cost + 1e-9, side="right")) - 1)
    at = curve.iloc[k]
    return {
        "r_index": r_index(curve),
        "r_index_budget": r_index(curve, budget=k) if k >= 1 else float("nan"),
        "budget": k,
        "cost_at_budget": float(cum[k]),
        "lcc_fraction_at_budget": float(at["lcc_fraction"]),
        "reachability_at_budget": float(at["victims_reachable_fraction"]),
    }


def disrupt(
    graph: ig.Graph,
    *,
    strategies: Iterable[str | StrategyFunction] | None = None,
    budget: int | float | None = None,
    budget_cost: float | None = None,
    victims: Iterable[Any] | None = None,
    controllers: Iterable[Any] | None = None,
    pairs: Iterable[tuple[Any, Any]] | None = None,
    costs: Mapping[str, float] | None = None,
    seed: int = 0,
    on_strategy: Callable[[str, int, int], object] | None = None,
    weights: str = "ignore",
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
    strategies : iterable of str or callable, optional
        Registered strategy names (see
        :func:`~crimnet.graphs.disrupt.registry.strategies`), or functions
        with the strategy signature ``f(graph, *, budget=None, seed=0,
        **kw) -> ranking``, mixed in any order; default every registered
        strategy (those needing labels only when labels are given). A function
        is called with ``seed`` and ``costs`` like a registered strategy that
        needs no labels (it can close over whatever else it needs, such as
        this run's detected clusters); it is reported under the value of its
        ranking's ``strategy`` column, or its ``__name__`` when the ranking
        has no such column or no row, with ``uses_ground_truth`` False.
        Passing a function leaves the registry unchanged.
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
    on_strategy : callable, optional
        Called before each strategy runs with its name (a function's ``__name__``), the number
        of strategies done and their total, and once more with ``''`` and ``(total, total)`` at
        the end; for progress displays (``crimnet disrupt`` draws a bar with it).
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the graph's ``weight`` edge attribute means
        (:mod:`~crimnet.graphs.disrupt.weights`): passed to every registered
        strategy that uses weights (its :attr:`StrategyInfo.weights
        <crimnet.graphs.disrupt.registry.StrategyInfo.weights>` says whether as
        strengths or distances); structural strategies and functions run
        unweighted. Default: unweighted, as the published dismantling studies.

    Returns
    -------
    DisruptionResult
        rankings, curves and summary (columns in :data:`SUMMARY_COLUMNS`);
        ``params['blocks']`` maps each block-adaptive strategy to the number of
        nodes it removed between two recomputations of its scores, and
        ``params['weights_used']`` each strategy to what it read from the
        weights ('strength', 'distance' or 'none').

    Raises
    ------
    crimnet.errors.ParameterError
        On unknown strategies, a function that does not return a DataFrame,
        or bad budgets, costs or labels.

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

    A function is a strategy too, here one that removes the highest-numbered
    nodes first:

    >>> from crimnet.graphs.disrupt.ordering import score_ranking
    >>> def last_first(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
    ...     scores = pd.Series(range(graph.vcount()), dtype=float)
    ...     return score_ranking(graph, scores, budget=budget, seed=seed, costs=costs,
    ...                          budget_cost=budget_cost, strategy="last_first")
    >>> disrupt(g, strategies=["degree", last_first]).summary["strategy"].tolist()
    ['degree', 'last_first']
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
    labels = {
        "pairs": [tuple(p) for p in pairs] if pairs is not None else None,
        "victims": list(victims) if victims is not None else None,
        "controllers": list(controllers) if controllers is not None else None,
    }
    if on_strategy is not None and not callable(on_strategy):
        raise bad_parameter("on_strategy", func, "a callable or None", on_strategy)
    check_choice(weights, WEIGHT_MODES, param="weights", func=func)
    entries = _resolve_strategies(strategies, func)
    cost = cost_vector(graph, costs, func)
    blocks: dict[str, int] = {}
    weights_used: dict[str, str] = {}
    skipped, rankings, curves, rows = [], [], [], []
    for done, entry in enumerate(entries):
        run, name, needs_pairs = (
            (entry.func, entry.name, entry.needs_pairs) if isinstance(entry, StrategyInfo) else (entry, None, False)
        )
        if on_strategy is not None:
            on_strategy(str(name if name is not None else getattr(run, "__name__", run)), done, len(entries))
        if needs_pairs and not labelled:
            skipped.append(str(name))
            continue
        kwargs: dict[str, Any] = {"seed": seed, "costs": costs, **(labels if needs_pairs else {})}
        use = entry.weights if isinstance(entry, StrategyInfo) and weights != "ignore" else "none"
        if use != "none":
            kwargs["weights"] = weights
        start = time.perf_counter()
        ranking = run(graph, **kwargs)
        seconds = time.perf_counter() - start
        if name is None:
            name = _ranking_name(ranking, run, func)
        weights_used[name] = use
        if "block" in ranking.attrs:
            blocks[name] = int(ranking.attrs["block"])
        ranking = ranking.assign(strategy=name)
        curve = robustness_curve(graph, ranking, **labels)
        at = _at_budget(graph, ranking, curve, cost, kmax, budget_cost, func)
        rows.append({"strategy": name, **at, "seconds": seconds, "uses_ground_truth": needs_pairs})
        rankings.append(ranking)
        curves.append(curve.assign(strategy=name))
    if on_strategy is not None:
        on_strategy("", len(entries), len(entries))
    cols = ["strategy", *CURVE_COLUMNS]
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
            "weights": weights,
            "weights_used": weights_used,
            "blocks": blocks,
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
        A registered strategy that does not need labels (see
        :func:`~crimnet.graphs.disrupt.registry.strategies`).
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
