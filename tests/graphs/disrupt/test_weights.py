"""Weight semantics: a weight is a strength or a distance, and each strategy reads the one it needs."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import (
    betweenness_adaptive_ranking,
    betweenness_ranking,
    degree_adaptive_ranking,
    degree_ranking,
    disrupt,
    get_strategy,
    pagerank_ranking,
    strategies,
)


def _two_routes() -> ig.Graph:
    """x and y joined by two brokers: a with strong ties (weight 10), b with weak ones (weight 1).

    As strengths, a's route x-a-y is short (length 0.1 + 0.1) and a carries the x-y path; as distances it is
    long (20) and b carries it. a's weighted degree is 20 against b's 2 (strengths), 0.2 against 2 (distances).
    """
    return ig.Graph.TupleList([("x", "a", 10.0), ("a", "y", 10.0), ("x", "b", 1.0), ("b", "y", 1.0)], weights=True)


@pytest.mark.parametrize("ranking", [betweenness_ranking, betweenness_adaptive_ranking, degree_ranking])
@pytest.mark.parametrize(("weights", "first"), [("strength", "a"), ("distance", "b")])
def test_strength_and_distance_flip_the_first_broker(ranking, weights, first):
    assert ranking(_two_routes(), budget=1, weights=weights)["node_id"].tolist() == [first]


def test_pagerank_follows_strong_ties():
    assert pagerank_ranking(_two_routes(), budget=1, weights="strength")["node_id"].tolist() == ["a"]
    assert pagerank_ranking(_two_routes(), budget=1, weights="distance")["node_id"].tolist() == ["b"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_ignore_is_the_unweighted_graph(seed):
    weighted = _two_routes()
    plain = _two_routes()
    del plain.es["weight"]
    for ranking in (betweenness_adaptive_ranking, degree_adaptive_ranking, pagerank_ranking):
        assert ranking(weighted, seed=seed)["node_id"].tolist() == ranking(plain, seed=seed)["node_id"].tolist()


def test_a_distance_is_the_inverse_strength():
    rng = np.random.default_rng(3)
    g = ig.Graph.Erdos_Renyi(60, m=150)
    w = rng.integers(1, 9, g.ecount()).astype(float)
    g.es["weight"] = w.tolist()
    inv = g.copy()
    inv.es["weight"] = (1.0 / w).tolist()
    for ranking in (betweenness_adaptive_ranking, degree_adaptive_ranking, pagerank_ranking):
        as_strength = ranking(g, weights="strength", seed=1)["node_id"].tolist()
        assert as_strength == ranking(inv, weights="distance", seed=1)["node_id"].tolist()


def test_weighted_degree_adaptive_recomputes_strengths():
    # hub h with three weak ties, s with one strong tie to t: s and t go first as strengths
    g = ig.Graph.TupleList(
        [("h", "l1", 1.0), ("h", "l2", 1.0), ("h", "l3", 1.0), ("s", "t", 9.0), ("t", "h", 1.0)], weights=True
    )
    order = degree_adaptive_ranking(g, weights="strength")["node_id"].tolist()
    assert order[0] == "t"  # strength 10
    assert order[1] == "h"  # 3 once t is gone (s is left with 0)
    assert degree_adaptive_ranking(g)["node_id"].tolist()[0] == "h"  # unweighted: degree 4


def test_every_registered_strategy_states_its_weights():
    uses = {name: get_strategy(name).weights for name in strategies(with_attribute=True)}
    assert set(uses.values()) <= {"none", "strength", "distance"}
    assert uses["betweenness_adaptive"] == "distance"
    assert uses["degree"] == uses["pagerank_adaptive"] == "strength"
    assert uses["corehd"] == uses["articulation"] == "none"


def test_disrupt_passes_weights_to_the_strategies_that_use_them():
    g = _two_routes()
    res = disrupt(g, strategies=["degree", "betweenness", "corehd"], weights="distance")
    assert res.params["weights_used"] == {"degree": "strength", "betweenness": "distance", "corehd": "none"}
    first = res.rankings[res.rankings["rank"] == 1].set_index("strategy")["node_id"]
    assert first["degree"] == first["betweenness"] == "b"
    plain = disrupt(g, strategies=["degree", "betweenness"])
    assert plain.params["weights_used"] == {"degree": "none", "betweenness": "none"}


def test_bad_weights_are_refused():
    with pytest.raises(ParameterError, match="'weights' parameter of degree_ranking must be one of"):
        degree_ranking(_two_routes(), weights="closeness")
    with pytest.raises(ParameterError, match="without a 'weight' edge attribute"):
        betweenness_ranking(ig.Graph.Ring(5), weights="strength")
    g = _two_routes()
    g.es["weight"] = [1.0, 0.0, 1.0, 1.0]
    with pytest.raises(ParameterError, match="positive finite"):
        degree_ranking(g, weights="distance")
    with pytest.raises(ParameterError, match="'weights' parameter of disrupt"):
        disrupt(g, weights="both")
