"""Edge weights in disruption: what the data's weight means, and what each strategy consumes.

An edge weight is either a *strength* (more contact, a closer tie: number of
meetings, calls or co-offences) or a *distance* (a longer, weaker tie: hops of
a route, time between contacts). The user says which with ``weights``:

- ``'ignore'`` (the default): every strategy runs on the unweighted graph, as
  the structural dismantling literature does (Cavallaro et al. 2020 on the
  Montagna networks);
- ``'strength'``: the graph's ``weight`` edge attribute is a strength ``w``;
- ``'distance'``: it is a length ``d``; its strength is ``1 / d``.

Each registered strategy states what it consumes (see
:func:`~crimnet.graphs.disrupt.registry.register_strategy`): strength
(weighted degree, PageRank's transition shares, Katz's walks, collective
influence's degrees), distance (betweenness's shortest paths, with length
``1 / strength``) or nothing (articulation points, CoreHD, GND and the other
purely structural strategies run unweighted whatever ``weights`` says). So a strong tie is a heavy edge for
degree and a short one for betweenness, whichever way the data records it.
"""

from __future__ import annotations

import igraph as ig
import numpy as np

from crimnet.errors import ParameterError, check_choice, check_type
from crimnet.graphs.arrays import csr_arrays, edge_arrays

__all__ = ["WEIGHT_MODES", "WEIGHT_USES", "csr_strengths"]

WEIGHT_MODES = ("ignore", "strength", "distance")
"""What the ``weight`` edge attribute means: nothing (unweighted run), a strength, or a distance."""

WEIGHT_USES = ("none", "strength", "distance")
"""What a strategy consumes: no weight (structural), strengths, or distances (lengths ``1 / strength``)."""


def csr_strengths(
    graph: ig.Graph, weights: str = "ignore", *, func: str = "csr_strengths", attribute: str = "weight"
) -> np.ndarray | None:
    """Return the strength of every entry of a graph's CSR adjacency, or None for an unweighted run.

    Parameters
    ----------
    graph : igraph.Graph
        The graph; its edge attribute `attribute` is read.
    weights : {'ignore', 'strength', 'distance'}, default 'ignore'
        What the attribute means (see the module docstring).
    func : str, default 'csr_strengths'
        The public function named in error messages.
    attribute : str, default 'weight'
        The edge attribute.

    Returns
    -------
    numpy.ndarray or None
        float64, aligned with the ``indices`` of
        :func:`crimnet.graphs.arrays.csr_arrays` (entry ``j`` of row ``i`` is
        the tie ``(i, indices[j])``); a strength per tie, the largest of its parallel
        edges (as :func:`crimnet.datasets.load_network` merges repeated rows).
        None when `weights` is ``'ignore'``.

    Raises
    ------
    crimnet.errors.ParameterError
        If `weights` is unknown, the graph has no such attribute, or a weight
        is not a positive finite number.

    Notes
    -----
    O(m log m) (the CSR arrays are computed again, only for a weighted run).

    Examples
    --------
    >>> g = ig.Graph([(0, 1), (1, 2)])
    >>> g.es["weight"] = [2.0, 4.0]
    >>> csr_strengths(g, "distance").tolist()
    [0.5, 0.5, 0.25, 0.25]
    """
    check_type(graph, ig.Graph, param="graph", func=func, expected="an igraph.Graph")
    check_choice(weights, WEIGHT_MODES, param="weights", func=func)
    if weights == "ignore":
        return None
    if attribute not in graph.es.attributes():
        raise ParameterError(
            f"The 'weights' parameter of {func} must be 'ignore' for a graph without a {attribute!r} edge "
            f"attribute. Got {weights!r} instead."
        )
    w = np.asarray(graph.es[attribute], dtype=np.float64)
    if not (np.isfinite(w) & (w > 0)).all():
        raise ParameterError(
            f"The 'weights' parameter of {func} needs positive finite {attribute!r} values. "
            f"Got {weights!r} with a value of {float(w[~(np.isfinite(w) & (w > 0))][0])!r} instead."
        )
    strength = w if weights == "strength" else 1.0 / w
    indptr, indices = csr_arrays(graph)
    n = graph.vcount()
    u, v = edge_arrays(graph)
    ok = u != v
    key = np.minimum(u[ok], v[ok]) * n + np.maximum(u[ok], v[ok])
    keys, inv = np.unique(key, return_inverse=True)
    best = np.zeros(len(keys))
    np.maximum.at(best, inv, strength[ok])
    src = np.repeat(np.arange(n), np.diff(indptr))
    entry = np.minimum(src, indices) * n + np.maximum(src, indices)
    return best[np.searchsorted(keys, entry)]
