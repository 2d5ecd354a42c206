"""Disruption: strategies that rank nodes for removal, their comparison and robustness curves.

A *strategy* answers "who, or which phone, account or address, should be acted
on first?" with a removal order: a ``ranking`` DataFrame with columns ``rank``
(int64, 1-based), ``node_id`` (the vertex ``name``), ``label`` (the vertex
``label``, or NA) and ``strategy`` (str). :func:`disrupt` runs several
strategies on one graph and scores each removal order with the robustness
curve, the R-index and victim-controller reachability.

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

Every strategy that stops having a meaningful score before all nodes are
removed (no articulation point left, all collective influence zero, no edge in
a cut) completes its order with adaptive degree on what is left, so full
R-indices are comparable.

Modules
-------
- :mod:`~crimnet.graphs.disrupt.registry`: strategy names and their functions.
- :mod:`~crimnet.graphs.disrupt.ordering`: what every strategy shares (checks,
  costs, tie-breaks, budgets, static and adaptive orders) and
  :func:`score_ranking`.
- :mod:`~crimnet.graphs.disrupt.attacks`: ``random``, ``degree``,
  ``degree_adaptive``, ``betweenness``, ``betweenness_adaptive``,
  ``pagerank``, ``pagerank_adaptive``, ``katz`` and ``katz_adaptive``.
- :mod:`~crimnet.graphs.disrupt.dismantling`: ``articulation``,
  ``collective_influence``, ``corehd`` and ``decycling_reinsertion``.
- :mod:`~crimnet.graphs.disrupt.exploitation`: ``victim_controller_cut`` and
  ``non_person``, and :func:`expected_cut_ranking` (the same cut weighted by role
  probabilities, not registered: it reads them as an argument).
- :mod:`~crimnet.graphs.disrupt.gnd`: ``gnd``, Generalized Network Dismantling
  (cost-aware spectral cuts, Ren et al. 2019), and ``gndr``, the same with
  greedy reinsertion (GNDR).
- :mod:`~crimnet.graphs.disrupt.compare`: :func:`disrupt`,
  :class:`DisruptionResult` and :func:`cluster_disruption_points`.
- :mod:`~crimnet.graphs.disrupt.robustness`: robustness curves and the R-index.
- :mod:`~crimnet.graphs.disrupt.weights`: what an edge weight means (strength
  or distance) and what each strategy reads from it.
- :mod:`~crimnet.graphs.disrupt.optimise`: :func:`optimise_removals`, a search
  for near-optimal first removals, seeded by the best strategy.
- :mod:`~crimnet.graphs.disrupt.exact`: :func:`critical_nodes_exact`, the
  critical node problem solved exactly (an integer program, HiGHS) on small
  networks, a lower bound for the optimiser.
- :mod:`~crimnet.graphs.disrupt.recovery`: :func:`recovery_curve`, a removal
  order replayed on a network whose survivors rewire (Duijn et al. 2014), and
  :func:`compare_recovery` for several strategies at once.

Importing this package registers the built-in strategies (in the order above),
so :func:`strategies` lists all of them whichever module is imported first.

Adding a strategy
-----------------
Write a function with that signature; :func:`score_ranking` turns any node
score into a removal order. Pass the function itself to :func:`disrupt` for one
comparison:

>>> import igraph as ig
>>> import pandas as pd
>>> def eccentricity_ranking(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
...     '''Remove the most central nodes (lowest eccentricity) first.'''
...     ecc = pd.Series(graph.eccentricity(), index=range(graph.vcount()))
...     return score_ranking(graph, -ecc, budget=budget, seed=seed, costs=costs,
...                          budget_cost=budget_cost, strategy="eccentricity")
>>> g = ig.Graph.Star(5)
>>> eccentricity_ranking(g, budget=1)[["rank", "node_id", "strategy"]].values.tolist()
[[1, 0, 'eccentricity']]
>>> result = disrupt(g, strategies=[eccentricity_ranking, "degree"])
>>> result.summary["strategy"].tolist()
['eccentricity', 'degree']

or register it once, where it is defined, with :func:`register_strategy`; it
then appears in :func:`strategies`, in :func:`disrupt`'s default list, in
``crimnet disrupt`` and in every benchmark (see
:mod:`~crimnet.graphs.disrupt.registry`).
"""

# attacks, dismantling, exploitation, gnd: this import order is the registration order that strategies() lists
from crimnet.graphs.disrupt.attacks import (
    betweenness_adaptive_ranking,
    betweenness_ranking,
    degree_adaptive_ranking,
    degree_ranking,
    katz_adaptive_ranking,
    katz_ranking,
    pagerank_adaptive_ranking,
    pagerank_ranking,
    random_ranking,
)
from crimnet.graphs.disrupt.compare import SUMMARY_COLUMNS, DisruptionResult, cluster_disruption_points, disrupt
from crimnet.graphs.disrupt.dismantling import (
    articulation_ranking,
    articulation_scores,
    collective_influence,
    collective_influence_ranking,
    corehd_ranking,
    decycling_reinsertion_ranking,
    greedy_reinsertion,
)
from crimnet.graphs.disrupt.exact import (
    EXACT_MAX_NODES,
    ExactCriticalNodes,
    critical_nodes_exact,
    pairwise_connectivity,
)
from crimnet.graphs.disrupt.exploitation import (
    expected_cut_ranking,
    non_person_ranking,
    victim_controller_cut_ranking,
)
from crimnet.graphs.disrupt.gnd import fiedler_split, gnd_ranking, gndr_ranking
from crimnet.graphs.disrupt.optimise import OBJECTIVES, OptimisedRemovals, lcc_after_removals, optimise_removals
from crimnet.graphs.disrupt.ordering import (
    ADAPTIVE_WORK,
    DEFAULT_COSTS,
    RANKING_COLUMNS,
    TIE_RULES,
    OrderingContext,
    ScoreFunction,
    cost_vector,
    node_labels,
    prepare,
    score_ranking,
)
from crimnet.graphs.disrupt.recovery import (
    RECOVERY_COLUMNS,
    RECOVERY_MODES,
    RECOVERY_SUMMARY_COLUMNS,
    compare_recovery,
    recovery_curve,
)
from crimnet.graphs.disrupt.registry import (
    StrategyFunction,
    StrategyInfo,
    get_strategy,
    register_strategy,
    strategies,
    unregister_strategy,
)
from crimnet.graphs.disrupt.robustness import CURVE_COLUMNS, r_index, robustness_curve, robustness_curve_bruteforce
from crimnet.graphs.disrupt.score_ranked import SCORE_ATTRIBUTE, learned_score_ranking
from crimnet.graphs.disrupt.weights import WEIGHT_MODES, WEIGHT_USES, csr_strengths

__all__ = [
    # registry
    "StrategyFunction",
    "StrategyInfo",
    "get_strategy",
    "register_strategy",
    "strategies",
    "unregister_strategy",
    # ordering
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
    # learned scores
    "SCORE_ATTRIBUTE",
    "learned_score_ranking",
    # attacks
    "betweenness_adaptive_ranking",
    "betweenness_ranking",
    "degree_adaptive_ranking",
    "degree_ranking",
    "katz_adaptive_ranking",
    "katz_ranking",
    "pagerank_adaptive_ranking",
    "pagerank_ranking",
    "random_ranking",
    # dismantling
    "articulation_ranking",
    "articulation_scores",
    "collective_influence",
    "collective_influence_ranking",
    "corehd_ranking",
    "decycling_reinsertion_ranking",
    "greedy_reinsertion",
    # exploitation
    "non_person_ranking",
    "victim_controller_cut_ranking",
    "expected_cut_ranking",
    # exact
    "EXACT_MAX_NODES",
    "ExactCriticalNodes",
    "critical_nodes_exact",
    "pairwise_connectivity",
    # gnd
    "fiedler_split",
    "gnd_ranking",
    "gndr_ranking",
    # compare
    "SUMMARY_COLUMNS",
    "DisruptionResult",
    "cluster_disruption_points",
    "disrupt",
    # optimise
    "OBJECTIVES",
    "OptimisedRemovals",
    "lcc_after_removals",
    "optimise_removals",
    # recovery
    "RECOVERY_COLUMNS",
    "RECOVERY_MODES",
    "RECOVERY_SUMMARY_COLUMNS",
    "compare_recovery",
    "recovery_curve",
    # robustness
    "CURVE_COLUMNS",
    "r_index",
    "robustness_curve",
    "robustness_curve_bruteforce",
    # weights
    "WEIGHT_MODES",
    "WEIGHT_USES",
    "csr_strengths",
]
