"""A strategy that acts first on the nodes a learned model scored highest: ``learned_score``.

Disruption knows nothing of the model: the caller (the pipeline, or anyone with
a score per node) sets a vertex attribute, by default ``score``, and this
strategy turns it into a removal order with
:func:`~crimnet.graphs.disrupt.ordering.score_ranking` (highest first; with
costs, highest score per unit cost first). In crimnet the attribute holds each
person's probability of being a perpetrator under the role model of
:mod:`crimnet.gnn` (``crimnet run-case --model``); nodes without a score
(phones, accounts, people the model did not score) follow by degree.

The strategy reads an attribute that most graphs lack, so it is registered with
``needs_attribute`` and is left out of :func:`~crimnet.graphs.disrupt.registry.strategies`
(and of :func:`~crimnet.graphs.disrupt.compare.disrupt`'s default list) unless
asked for by name.
"""

from __future__ import annotations

from collections.abc import Mapping

import igraph as ig
import numpy as np
import pandas as pd

from crimnet.errors import ParameterError, check_type
from crimnet.graphs.disrupt.ordering import prepare, score_ranking
from crimnet.graphs.disrupt.registry import register_strategy

__all__ = ["learned_score_ranking", "SCORE_ATTRIBUTE"]

SCORE_ATTRIBUTE = "score"
"""The vertex attribute :func:`learned_score_ranking` reads by default."""


@register_strategy("learned_score", needs_attribute=SCORE_ATTRIBUTE)
def learned_score_ranking(
    graph: ig.Graph,
    *,
    budget: int | None = None,
    seed: int = 0,
    costs: Mapping[str, float] | None = None,
    budget_cost: float | None = None,
    attribute: str = SCORE_ATTRIBUTE,
) -> pd.DataFrame:
    """Remove the nodes with the highest learned score first.

    Parameters
    ----------
    graph : igraph.Graph
        Treated as undirected and simple; its vertex attribute `attribute` holds a score per node
        (float, higher means act earlier; None or NaN for unscored nodes).
    budget, seed, costs, budget_cost
        As for every strategy (see :mod:`crimnet.graphs.disrupt`); with `costs` the key is score / cost.
    attribute : str, default 'score'
        The vertex attribute to rank by.

    Returns
    -------
    pandas.DataFrame
        ``ranking`` (rank, node_id, label, strategy ``'learned_score'``): scored nodes by descending
        score (ties by degree, then `seed`), then unscored nodes by degree.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` has no vertex attribute `attribute`, or it is not numeric.

    Notes
    -----
    O(n log n) for n nodes (one sort; the checks of
    :func:`~crimnet.graphs.disrupt.ordering.prepare` run twice, O(n + m) each).

    Examples
    --------
    >>> g = ig.Graph.Star(4)
    >>> g.vs["score"] = [None, 0.2, 0.9, 0.5]
    >>> learned_score_ranking(g)["node_id"].tolist()
    [2, 3, 1, 0]
    >>> learned_score_ranking(ig.Graph.Star(4))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    crimnet.errors.ParameterError: The 'graph' parameter of learned_score_ranking must have the vertex attribute ...
    """
    func = "learned_score_ranking"
    prepare(graph, func, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost)  # the shared checks first
    check_type(attribute, str, param="attribute", func=func, expected="a vertex attribute name")
    if attribute not in graph.vertex_attributes():
        raise ParameterError(
            f"The 'graph' parameter of {func} must have the vertex attribute {attribute!r} (a learned score per "
            f"node, set by the caller, e.g. crimnet run-case --model). Got vertex attributes "
            f"{sorted(graph.vertex_attributes())!r} instead."
        )
    try:
        values = pd.to_numeric(pd.Series(graph.vs[attribute], dtype=object), errors="raise").to_numpy(np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'graph' parameter of {func} must have numeric values in the vertex attribute {attribute!r}. "
            "Got a non-numeric value instead."
        ) from None
    ids = graph.vs["name"] if "name" in graph.vertex_attributes() else list(range(graph.vcount()))
    scores = pd.Series(values, index=pd.Index(ids, dtype=object)).dropna()
    return score_ranking(
        graph, scores, budget=budget, seed=seed, costs=costs, budget_cost=budget_cost, strategy="learned_score"
    )
