"""Exact critical nodes on small networks: an integer program for pairwise connectivity (HiGHS).

The critical node problem (Arulselvan, Commander, Elefteriadou & Pardalos
2009) asks for the ``k`` nodes whose removal leaves the fewest pairs of nodes
joined by a path (*pairwise connectivity*, ``sum over components of
s (s - 1) / 2``). :func:`critical_nodes_exact` solves it as a mixed-integer
program with :func:`scipy.optimize.milp` (HiGHS), on networks of up to about a
hundred nodes. The solver's bound is a *lower bound* on pairwise connectivity
after any ``k`` removals, so it measures how far a heuristic or the optimiser
(:func:`~crimnet.graphs.disrupt.optimise.optimise_removals`, objective
``'pairwise_at_k'``) is from the optimum, even when the time limit stops the
solver first. It also bounds the largest component: components of at most
``L`` nodes among the ``N = n - k`` left hold at most ``N (L - 1) / 2``
connected pairs, so every set of ``k`` removals leaves a largest component of
at least ``1 + 2 PC* / N`` nodes.

References
----------
.. [1] A. Arulselvan, C. W. Commander, L. Elefteriadou and P. M. Pardalos,
   "Detecting critical nodes in sparse graphs", Comput. Oper. Res. 36(7),
   2193-2200 (2009). doi:10.1016/j.cor.2008.08.016
.. [2] M. Di Summa, A. Grosso and M. Locatelli, "Branch and cut algorithms for
   detecting critical nodes in undirected graphs", Comput. Optim. Appl.
   53(3), 649-680 (2012). doi:10.1007/s10589-012-9458-y
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import igraph as ig
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from crimnet.errors import ParameterError, check_interval
from crimnet.graphs.arrays import node_index
from crimnet.graphs.disrupt.ordering import prepare

__all__ = ["EXACT_MAX_NODES", "ExactCriticalNodes", "critical_nodes_exact", "pairwise_connectivity"]

EXACT_MAX_NODES = 150
"""Largest network :func:`critical_nodes_exact` accepts (its model has ``n (n - 1) / 2`` pair variables)."""


@dataclass(frozen=True)
class ExactCriticalNodes:
    """The outcome of :func:`critical_nodes_exact`.

    Attributes
    ----------
    removed : list
        Node ids of the best set of ``k`` nodes found.
    pairwise : int
        Pairwise connectivity after removing them.
    lower_bound : int
        No set of ``k`` nodes leaves fewer connected pairs (the solver's
        bound, rounded up); equals `pairwise` when `optimal`.
    optimal : bool
        Whether the solver proved `pairwise` optimal within the time limit.
    lcc : int
        Largest component after removing `removed`.
    lcc_lower_bound : int
        No set of ``k`` nodes leaves a smaller largest component:
        ``ceil(1 + 2 lower_bound / (n - k))``, at least 1 while nodes remain.
    seconds : float
        Solver wall time.
    """

    removed: list[Any]
    pairwise: int
    lower_bound: int
    optimal: bool
    lcc: int
    lcc_lower_bound: int
    seconds: float


def _sizes(n: int, src: np.ndarray, dst: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """Component sizes of the graph less `removed` (index array)."""
    present = np.ones(n, dtype=bool)
    present[removed] = False
    keep = present[src] & present[dst]
    adj = csr_matrix((np.ones(int(keep.sum())), (src[keep], dst[keep])), shape=(n, n))
    lab = connected_components(adj, directed=False)[1]
    return np.bincount(lab[present], minlength=1).astype(np.int64)


def pairwise_connectivity(graph: ig.Graph, removed: Iterable[Any] = ()) -> int:
    """Return the number of node pairs joined by a path once `removed` are taken out.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple.
    removed : iterable of node ids, default ()
        Vertex names (indices when the graph has none).

    Returns
    -------
    int
        ``sum over components of s (s - 1) / 2``.

    Raises
    ------
    crimnet.errors.ParameterError
        On an empty graph or unknown nodes.

    Notes
    -----
    One component labelling, O(n + m). Arulselvan et al. (2009),
    doi:10.1016/j.cor.2008.08.016.

    Examples
    --------
    >>> pairwise_connectivity(ig.Graph.Ring(5, circular=False), [2])
    2
    """
    func = "pairwise_connectivity"
    ctx = prepare(graph, func)
    idx = node_index(graph, list(removed), param="removed", func=func)
    src = np.repeat(np.arange(ctx.n), ctx.degree)
    sizes = _sizes(ctx.n, src, ctx.indices, idx)
    return int((sizes * (sizes - 1) // 2).sum())


def critical_nodes_exact(graph: ig.Graph, k: int, *, time_limit: float = 60.0) -> ExactCriticalNodes:
    """Find the `k` nodes whose removal minimises pairwise connectivity, exactly, with an integer program.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple; at most :data:`EXACT_MAX_NODES`
        nodes.
    k : int
        Nodes removed, 0 <= k <= n.
    time_limit : float, default 60
        Seconds given to HiGHS; when it runs out, the best set found and the
        proven lower bound are returned (``optimal`` False).

    Returns
    -------
    ExactCriticalNodes
        The set, its pairwise connectivity and largest component, and lower
        bounds on both.

    Raises
    ------
    crimnet.errors.ParameterError
        On an empty or too large graph, a bad `k` or `time_limit`, or when the
        solver finds no feasible set in time.

    Notes
    -----
    Variables: ``v_i`` = 1 when node i is removed, ``u_ij`` = 1 when i and j
    may be connected; minimise ``sum u_ij`` subject to ``sum v_i = k``,
    ``u_ij + v_i + v_j >= 1`` for every tie, and ``u_ij >= u_lj - v_i`` for
    every tie (i, l) and node j (if l reaches j and i is kept, so does i),
    which forces ``u_ij = 1`` along every path of kept nodes (induction on
    its length). That is ``2 m (n - 2)`` constraints, fewer than the
    ``3 C(n, 3)`` triangle inequalities of Arulselvan et al. (2009) on sparse
    networks. Branch and bound is exponential in the worst case; in practice
    about a second on 40 nodes.

    Examples
    --------
    A path of 7 nodes: removing 2 and 4 (or 2 and 5, 1 and 4) leaves pieces
    of 2, 1 and 2 nodes, 2 connected pairs.

    >>> res = critical_nodes_exact(ig.Graph.Ring(7, circular=False), 2)
    >>> res.pairwise, res.optimal, res.lcc, res.lower_bound
    (2, True, 2, 2)
    """
    func = "critical_nodes_exact"
    ctx = prepare(graph, func)
    n = ctx.n
    if n > EXACT_MAX_NODES:
        raise ParameterError(
            f"The 'graph' parameter of {func} must have at most {EXACT_MAX_NODES} nodes. Got {n} instead."
        )
    check_interval(k, param="k", func=func, low=0, high=n, closed="both", integer=True)
    check_interval(time_limit, param="time_limit", func=func, low=0)
    src = np.repeat(np.arange(n), ctx.degree)
    dst = ctx.indices
    iu, ju = np.triu_indices(n, 1)
    npairs = len(iu)
    pid = np.full((n, n), -1, dtype=np.int64)
    pid[iu, ju] = np.arange(npairs)
    pid[ju, iu] = np.arange(npairs)
    nvar = n + npairs  # v_0..v_{n-1}, then u for each pair i < j
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lows: list[np.ndarray] = []
    nrow = 0

    def add(r_cols: list[np.ndarray], r_vals: list[float], low: np.ndarray) -> None:
        """Rows ``sum_t r_vals[t] x[r_cols[t][r]] >= low[r]``, one per entry of the column arrays."""
        nonlocal nrow
        count = len(low)
        for c, v in zip(r_cols, r_vals, strict=True):
            rows.append(np.arange(nrow, nrow + count))
            cols.append(c)
            vals.append(np.full(count, v))
        lows.append(low)
        nrow += count

    up = src < dst  # each tie once: u_ij + v_i + v_j >= 1
    a, b = src[up], dst[up]
    add([n + pid[a, b], a, b], [1.0, 1.0, 1.0], np.ones(len(a)))
    # every tie in both directions (i, l) and every j outside it: u_ij - u_lj + v_i >= 0
    i_t = np.repeat(src, n)
    l_t = np.repeat(dst, n)
    j_t = np.tile(np.arange(n), len(src))
    ok = (j_t != i_t) & (j_t != l_t)
    i_t, l_t, j_t = i_t[ok], l_t[ok], j_t[ok]
    add([n + pid[i_t, j_t], n + pid[l_t, j_t], i_t], [1.0, -1.0, 1.0], np.zeros(len(i_t)))
    matrix = coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nrow, nvar))
    low = np.concatenate(lows)
    budget_row = np.zeros((1, nvar))
    budget_row[0, :n] = 1.0
    cost = np.concatenate([np.zeros(n), np.ones(npairs)])
    started = time.perf_counter()
    res = milp(
        cost,
        integrality=np.concatenate([np.ones(n), np.zeros(npairs)]),  # u is integral once v is: 0/1 from below
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(matrix.tocsr(), low, np.inf),
            LinearConstraint(budget_row, k, k),
        ],
        options={"time_limit": float(time_limit), "disp": False, "mip_rel_gap": 0.0},
    )
    seconds = time.perf_counter() - started
    if res.x is None:
        raise ParameterError(
            f"The 'time_limit' parameter of {func} must leave HiGHS time to find a set. Got {time_limit!r} "
            f"instead ({res.message})."
        )
    chosen = np.flatnonzero(res.x[:n] > 0.5)
    sizes = _sizes(n, src, dst, chosen)
    pairwise = int((sizes * (sizes - 1) // 2).sum())
    bound = getattr(res, "mip_dual_bound", None)
    lower = pairwise if res.status == 0 else int(math.ceil(float(bound if bound is not None else 0.0) - 1e-6))
    left = n - k
    names = graph.vs["name"] if "name" in graph.vs.attributes() else list(range(n))
    return ExactCriticalNodes(
        removed=[names[i] for i in chosen.tolist()],
        pairwise=pairwise,
        lower_bound=min(lower, pairwise),
        optimal=res.status == 0,
        lcc=int(sizes.max()) if left else 0,
        lcc_lower_bound=int(math.ceil(1 + 2 * lower / left - 1e-9)) if left else 0,
        seconds=seconds,
    )
