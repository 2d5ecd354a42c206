"""Robustness curves of removal orders: largest component and victim-controller reachability.

A removal order (a ``ranking`` DataFrame, see :mod:`crimnet.graphs.disrupt`)
is evaluated by its *curve*: after removing the first ``k`` nodes, the share of
the original nodes in the largest connected component (``lcc_fraction``) and the
share of (victim, controller) pairs that are still connected
(``victims_reachable_fraction``). :func:`robustness_curve` computes the whole
curve in one pass by adding the removed nodes back in reverse order with a
union-find (Newman & Ziff 2000); :func:`robustness_curve_bruteforce` recomputes
the components after every removal and exists as a reference for tests and
benchmarks. :func:`r_index` summarises a curve (Schneider et al. 2011).

Graphs are treated as undirected and simple: edge directions, multi-edges and
self-loops do not change connectivity.

References
----------
.. [1] M. E. J. Newman and R. M. Ziff, "Efficient Monte Carlo algorithm and
   high-precision results for percolation", Phys. Rev. Lett. 85, 4104 (2000).
   doi:10.1103/PhysRevLett.85.4104
.. [2] C. M. Schneider, A. A. Moreira, J. S. Andrade, S. Havlin and H. J.
   Herrmann, "Mitigation of malicious attacks on networks", PNAS 108(10),
   3838-3841 (2011). doi:10.1073/pnas.1009440108
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.graphs.arrays import check_graph, csr_arrays, node_index, simple_edges

__all__ = ["CURVE_COLUMNS", "robustness_curve", "robustness_curve_bruteforce", "r_index"]

CURVE_COLUMNS = ["k", "fraction_removed", "lcc_fraction", "victims_reachable_fraction"]


# ----------------------------------------------------------------------------- removal orders and labels as arrays


def _order(graph: ig.Graph, ranking: pd.DataFrame | Sequence[Any], func: str) -> np.ndarray:
    if isinstance(ranking, pd.DataFrame):
        if "node_id" not in ranking.columns:
            raise ParameterError(
                f"The 'ranking' parameter of {func} must be a ranking DataFrame with a 'node_id' column. "
                f"Got columns {list(ranking.columns)!r} instead."
            )
        if "rank" in ranking.columns:
            ranking = ranking.sort_values("rank", kind="stable")
        ids = ranking["node_id"].tolist()
    else:
        ids = list(ranking)
    order = node_index(graph, ids, param="ranking", func=func)
    if len(np.unique(order)) != len(order):
        raise ParameterError(
            f"The 'ranking' parameter of {func} must list each node at most once. Got {len(order)} entries "
            f"for {len(np.unique(order))} distinct nodes instead."
        )
    return order


def _pair_arrays(
    graph: ig.Graph,
    victims: Iterable[Any] | None,
    controllers: Iterable[Any] | None,
    pairs: Iterable[tuple[Any, Any]] | None,
    func: str,
) -> tuple[str, np.ndarray, np.ndarray]:
    """Return (mode, a, b): 'pairs' (pairs a[i]-b[i]), 'cartesian' (victims a x controllers b) or 'none'."""
    if pairs is not None:
        pl = list(pairs)
        if any(not isinstance(p, (tuple, list)) or len(p) != 2 for p in pl):
            raise ParameterError(
                f"The 'pairs' parameter of {func} must be an iterable of (victim, controller) tuples. Got {pl[:3]!r}"
                " instead."
            )
        a = node_index(graph, [p[0] for p in pl], param="pairs", func=func)
        b = node_index(graph, [p[1] for p in pl], param="pairs", func=func)
        if len(a):
            key = np.unique(np.stack([a, b], axis=1), axis=0)
            a, b = key[:, 0], key[:, 1]
        return "pairs", a, b
    if victims is not None and controllers is not None:
        a = np.unique(node_index(graph, victims, param="victims", func=func))
        b = np.unique(node_index(graph, controllers, param="controllers", func=func))
        return "cartesian", a, b
    return "none", np.empty(0, np.int64), np.empty(0, np.int64)


def _frame(k: np.ndarray, n: int, lcc: np.ndarray, reach: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "k": k.astype(np.int64),
            "fraction_removed": k / n,
            "lcc_fraction": lcc / n,
            "victims_reachable_fraction": reach.astype(np.float64),
        }
    )


# ----------------------------------------------------------------------------- the state the add-back starts from


def _components_of_present(
    indptr: np.ndarray, indices: np.ndarray, present: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Union-find state of the graph of the `present` nodes, from one vectorised component labelling.

    Returns ``(labels, parent, size, roots)``: each vertex's component label
    (-1 when absent), its union-find parent (the component's root: its first
    present vertex; itself when absent), the component size at each root (0
    elsewhere) and the roots.
    """
    n = len(present)
    src = np.repeat(np.arange(n), np.diff(indptr))
    keep = present[src] & present[indices]
    adj = coo_matrix((np.ones(int(keep.sum()), np.int8), (src[keep], indices[keep])), shape=(n, n))
    _, labels = connected_components(adj, directed=False)
    labels = np.where(present, labels, -1)
    sizes = np.bincount(labels[present], minlength=n) if present.any() else np.zeros(n, np.int64)
    pres_idx = np.flatnonzero(present)
    _, where = np.unique(labels[pres_idx], return_index=True)
    roots = pres_idx[where]
    first = np.full(n, -1, dtype=np.int64)
    first[labels[roots]] = roots
    parent = np.arange(n, dtype=np.int64)
    parent[pres_idx] = first[labels[pres_idx]]
    size = np.zeros(n, dtype=np.int64)
    size[roots] = sizes[labels[roots]]
    return labels, parent, size, roots


class _Tracker:
    """Victim-controller reachability during the add-back; this base tracks no pairs."""

    total = 0
    connected = 0

    def add(self, v: int) -> None:
        """Node `v` comes back, alone in its component."""

    def merge(self, root: int, u: int) -> None:
        """The component of root `u` has just been united into that of `root`."""


class _PairTracker(_Tracker):
    """Explicit pairs: each root keeps the ids of the pairs with exactly one present endpoint inside it.

    A merge folds the smaller set into the larger one; an id found in both is a
    pair that has just become connected (O(P log P) set operations in all).
    """

    def __init__(self, pa: np.ndarray, pb: np.ndarray, present: np.ndarray, labels: np.ndarray, parent: np.ndarray):
        self.total = len(pa)
        self.connected = 0
        self.sets: dict[int, set[int]] = {}
        self.node_pairs: dict[int, list[int]] = {}
        self.self_pairs: dict[int, int] = {}
        for p, (a, b) in enumerate(zip(pa.tolist(), pb.tolist(), strict=True)):
            if a == b:  # a node that is both victim and controller: connected while present
                self.self_pairs[a] = self.self_pairs.get(a, 0) + 1
            else:
                self.node_pairs.setdefault(a, []).append(p)
                self.node_pairs.setdefault(b, []).append(p)
            if present[a] and present[b] and labels[a] == labels[b]:
                self.connected += 1
                continue
            for x in (a, b) if a != b else ():
                if present[x]:
                    self.sets.setdefault(int(parent[x]), set()).add(p)

    def add(self, v: int) -> None:
        ps = self.node_pairs.get(v)
        if ps:
            self.sets[v] = set(ps)
        self.connected += self.self_pairs.get(v, 0)

    def merge(self, root: int, u: int) -> None:
        s1 = self.sets.pop(root, None)
        s2 = self.sets.pop(u, None)
        if s1 is None:
            s1 = s2
        elif s2 is not None:
            if len(s1) < len(s2):
                s1, s2 = s2, s1
            for p in s2:
                if p in s1:
                    s1.remove(p)
                    self.connected += 1
                else:
                    s1.add(p)
        if s1:
            self.sets[root] = s1


class _CartesianTracker(_Tracker):
    """Every victim with every controller: each root counts its victims and controllers; O(1) per merge."""

    def __init__(self, pa: np.ndarray, pb: np.ndarray, present: np.ndarray, labels: np.ndarray, roots: np.ndarray):
        n = len(present)
        self.total = len(pa) * len(pb)
        isv = np.zeros(n, np.int64)
        isv[pa] = 1
        isc = np.zeros(n, np.int64)
        isc[pb] = 1
        pres_idx = np.flatnonzero(present)
        vcount = np.bincount(labels[pres_idx], weights=isv[pres_idx], minlength=n).astype(np.int64)
        ccount = np.bincount(labels[pres_idx], weights=isc[pres_idx], minlength=n).astype(np.int64)
        self.connected = int((vcount * ccount).sum())
        vc = np.zeros(n, np.int64)
        cc = np.zeros(n, np.int64)
        vc[roots] = vcount[labels[roots]]
        cc[roots] = ccount[labels[roots]]
        self.vc, self.cc = vc.tolist(), cc.tolist()
        self.isv, self.isc = isv.tolist(), isc.tolist()

    def add(self, v: int) -> None:
        self.vc[v] = self.isv[v]
        self.cc[v] = self.isc[v]
        self.connected += self.vc[v] * self.cc[v]

    def merge(self, root: int, u: int) -> None:
        vc, cc = self.vc, self.cc
        self.connected += vc[root] * cc[u] + vc[u] * cc[root]
        vc[root] += vc[u]
        cc[root] += cc[u]


# ----------------------------------------------------------------------------- the one-pass curve


def robustness_curve(
    graph: ig.Graph,
    ranking: pd.DataFrame | Sequence[Any],
    *,
    victims: Iterable[Any] | None = None,
    controllers: Iterable[Any] | None = None,
    pairs: Iterable[tuple[Any, Any]] | None = None,
) -> pd.DataFrame:
    """Compute the robustness curve of a removal order in one reverse union-find pass.

    Row ``k`` describes the graph after removing the first ``k`` nodes of
    `ranking` (``k = 0 .. len(ranking)``): the largest connected component as a
    share of *all* original nodes, and the share of (victim, controller) pairs
    whose two nodes are both still present and in the same component.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple. Node ids are vertex ``name`` values
        (indices when the graph has no names).
    ranking : pandas.DataFrame or sequence
        A ``ranking`` DataFrame (``node_id`` ordered by ``rank``) or a sequence
        of node ids, first removed first. It may be partial (a budget): nodes it
        does not list are never removed.
    victims, controllers : iterable of node ids, optional
        Without `pairs`, every (victim, controller) combination is a pair.
    pairs : iterable of (victim, controller) tuples, optional
        Explicit pairs, e.g. each victim with the controllers of its own ring.
        Duplicates are counted once.

    Returns
    -------
    pandas.DataFrame
        ``k`` (int64), ``fraction_removed`` (float64, k / n),
        ``lcc_fraction`` (float64, largest component size / n),
        ``victims_reachable_fraction`` (float64, connected pairs / pairs; NaN
        when no pairs are given). ``len(ranking) + 1`` rows.

    Raises
    ------
    crimnet.errors.ParameterError
        If the graph is empty, or the ranking or pairs name unknown nodes, or a
        node is listed twice.

    Notes
    -----
    The state after all removals is built with one vectorised component
    labelling (scipy); the removed nodes are then added back last-removed
    first, uniting each with its present neighbours in a union-find with union
    by size and path halving (Newman & Ziff 2000). The largest component can
    only grow during the add-back, so it is a running maximum. Time
    O((n + m) alpha(n)) plus a Python-level loop over the edges of removed
    nodes; memory O(n + m).

    Reachability is tracked in the same pass. With explicit pairs, each
    component root keeps the set of pair ids that have exactly one present
    endpoint inside it; when two components merge, the smaller set is
    folded into the larger one and every id found in both is a pair that has
    just become connected (small-into-large merging: O(P log P) set
    operations for P pairs). With victims x controllers, each root keeps two
    counters and a merge of components A and B connects
    ``v_A c_B + v_B c_A`` pairs in O(1).

    References
    ----------
    Newman & Ziff 2000, doi:10.1103/PhysRevLett.85.4104.

    Examples
    --------
    A path 0-1-2-3 with its middle node removed first:

    >>> g = ig.Graph([(0, 1), (1, 2), (2, 3)])
    >>> c = robustness_curve(g, [1, 0], pairs=[(0, 3)])
    >>> c[["k", "lcc_fraction", "victims_reachable_fraction"]].values.tolist()
    [[0.0, 1.0, 1.0], [1.0, 0.5, 0.0], [2.0, 0.5, 0.0]]
    """
    func = "robustness_curve"
    check_graph(graph, func, nonempty=True)
    n = graph.vcount()
    order = _order(graph, ranking, func)
    mode, pa, pb = _pair_arrays(graph, victims, controllers, pairs, func)
    indptr, indices = csr_arrays(graph)
    present = np.ones(n, dtype=bool)
    present[order] = False
    labels, parent_np, size_np, roots = _components_of_present(indptr, indices, present)
    lcc = int(size_np.max()) if present.any() else 0
    track: _Tracker
    if mode == "pairs":
        track = _PairTracker(pa, pb, present, labels, parent_np)
    elif mode == "cartesian":
        track = _CartesianTracker(pa, pb, present, labels, roots)
    else:
        track = _Tracker()

    kk = len(order)
    lcc_out = np.zeros(kk + 1, dtype=np.int64)
    con_out = np.zeros(kk + 1, dtype=np.int64)
    lcc_out[kk] = lcc
    con_out[kk] = track.connected
    # add the removed nodes back, last removed first (union by size, path halving)
    parent = parent_np.tolist()
    size = size_np.tolist()
    pres = present.tolist()
    ip = indptr.tolist()
    ind = indices.tolist()
    order_l = order.tolist()
    for i in range(kk - 1, -1, -1):
        v = order_l[i]
        pres[v] = True
        size[v] = 1
        root = v
        track.add(v)
        for j in range(ip[v], ip[v + 1]):
            u = ind[j]
            if not pres[u]:
                continue
            while parent[u] != u:  # find with path halving
                parent[u] = parent[parent[u]]
                u = parent[u]
            if u == root:
                continue
            if size[u] > size[root]:
                u, root = root, u
            parent[u] = root
            size[root] += size[u]
            track.merge(root, u)
        if size[root] > lcc:
            lcc = size[root]
        lcc_out[i] = lcc
        con_out[i] = track.connected

    k = np.arange(kk + 1)
    reach = con_out / track.total if track.total else np.full(kk + 1, np.nan)
    return _frame(k, n, lcc_out, reach)


# ----------------------------------------------------------------------------- brute force reference


def robustness_curve_bruteforce(
    graph: ig.Graph,
    ranking: pd.DataFrame | Sequence[Any],
    *,
    victims: Iterable[Any] | None = None,
    controllers: Iterable[Any] | None = None,
    pairs: Iterable[tuple[Any, Any]] | None = None,
    steps: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Compute the robustness curve by recomputing components after every removal.

    The reference for :func:`robustness_curve`: same parameters, same result,
    O(K (n + m)) time for a ranking of K nodes (each step is one vectorised
    scipy ``connected_components`` call on the remaining graph).

    Parameters
    ----------
    graph, ranking, victims, controllers, pairs
        As :func:`robustness_curve`.
    steps : iterable of int, optional
        Only evaluate these values of ``k`` (each in ``0 .. len(ranking)``);
        default every step. Used by benchmarks to time a sample of steps on
        large graphs.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``fraction_removed``, ``lcc_fraction``,
        ``victims_reachable_fraction`` as in :func:`robustness_curve`.

    Raises
    ------
    crimnet.errors.ParameterError
        As :func:`robustness_curve`.

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2), (2, 3)])
    >>> robustness_curve_bruteforce(g, [1, 0])["lcc_fraction"].tolist()
    [1.0, 0.5, 0.5]
    """
    func = "robustness_curve_bruteforce"
    check_graph(graph, func, nonempty=True)
    n = graph.vcount()
    order = _order(graph, ranking, func)
    mode, pa, pb = _pair_arrays(graph, victims, controllers, pairs, func)
    e = simple_edges(graph)
    present = np.ones(n, dtype=bool)
    kk = len(order)
    ks = np.arange(kk + 1) if steps is None else np.unique(np.asarray(list(steps), dtype=np.int64))
    if len(ks) and (ks[0] < 0 or ks[-1] > kk):
        raise ParameterError(
            f"The 'steps' parameter of {func} must hold ints in [0, {kk}]. Got {ks.tolist()!r} instead."
        )
    lcc = np.zeros(len(ks), np.int64)
    con = np.zeros(len(ks), np.int64)
    total = len(pa) if mode == "pairs" else len(pa) * len(pb)
    ones = np.ones(len(e), np.int8)
    for i, k in enumerate(ks.tolist()):
        present[:] = True
        present[order[:k]] = False
        keep = present[e[:, 0]] & present[e[:, 1]]
        adj = coo_matrix((ones[keep], (e[keep, 0], e[keep, 1])), shape=(n, n)).tocsr()
        _, lab = connected_components(adj, directed=False)
        counts = np.bincount(lab[present], minlength=n) if present.any() else np.zeros(1, np.int64)
        lcc[i] = counts.max()
        if mode == "pairs" and total:
            con[i] = int((present[pa] & present[pb] & (lab[pa] == lab[pb])).sum())
        elif mode == "cartesian" and total:
            vcount = np.bincount(lab[pa[present[pa]]], minlength=n)
            ccount = np.bincount(lab[pb[present[pb]]], minlength=n)
            con[i] = int((vcount * ccount).sum())
    reach = con / total if total else np.full(len(ks), np.nan)
    return _frame(ks, n, lcc, reach)


# ----------------------------------------------------------------------------- R-index


def r_index(curve: pd.DataFrame, *, budget: int | None = None) -> float:
    """Return the R-index of a robustness curve: the mean LCC share over removal steps.

    ``R = (1 / K) * sum_{k=1..K} s(k)``, where ``s(k)`` is the largest
    component's share of the original nodes after ``k`` removals and ``K`` is
    the number of removals in the curve, or ``min(budget, K)`` when a budget is
    given. For a removal order that lists every node this is the R of
    Schneider et al. (2011); lower is a better disruption. The value lies in
    [0, 1].

    Parameters
    ----------
    curve : pandas.DataFrame
        A curve from :func:`robustness_curve` (columns ``k`` and
        ``lcc_fraction``).
    budget : int, optional
        Only the first `budget` removals count (a number of nodes, >= 1).

    Returns
    -------
    float
        The R-index; NaN when the curve has no removal step.

    Raises
    ------
    crimnet.errors.ParameterError
        If `budget` is not a positive int or the curve lacks columns.

    Notes
    -----
    O(K). The full R-index of strategies is only comparable when their
    rankings cover the same number of nodes; every strategy in
    :mod:`crimnet.graphs.disrupt` returns a full removal order unless it is
    given a budget.

    References
    ----------
    Schneider et al. 2011, doi:10.1073/pnas.1009440108.

    Examples
    --------
    A star of 4 nodes with its hub removed first: s(1) = 1/4, s(2) = 1/4,
    s(3) = 1/4 and s(4) = 0, so R = 0.1875.

    >>> g = ig.Graph.Star(4)
    >>> float(r_index(robustness_curve(g, [0, 1, 2, 3])))
    0.1875
    >>> float(r_index(robustness_curve(g, [0, 1, 2, 3]), budget=1))
    0.25
    """
    func = "r_index"
    check_type(curve, pd.DataFrame, param="curve", func=func, expected="a curve DataFrame")
    missing = [c for c in ("k", "lcc_fraction") if c not in curve.columns]
    if missing:
        raise ParameterError(
            f"The 'curve' parameter of {func} must have columns ['k', 'lcc_fraction']. Got {list(curve.columns)!r} "
            "instead."
        )
    if budget is not None:
        check_interval(budget, param="budget", func=func, low=1, closed="left", integer=True)
    k = curve["k"].to_numpy()
    sel = k >= 1
    if budget is not None:
        sel &= k <= budget
    if not sel.any():
        return float("nan")
    return float(curve["lcc_fraction"].to_numpy()[sel].mean())
