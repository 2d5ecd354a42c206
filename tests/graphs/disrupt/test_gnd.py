"""Generalized Network Dismantling (Ren et al. 2019) on hand-checked small graphs."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from crimnet.errors import ParameterError
from crimnet.graphs.arrays import csr_arrays
from crimnet.graphs.disrupt import DEFAULT_COSTS, disrupt, fiedler_split, gnd_ranking, lcc_after_removals


def _cliques_and_broker() -> ig.Graph:
    """Two 4-cliques {0..3} and {4..7}; broker 8 tied to 0, 1 (first clique) and 4, 5 (second).

    Whichever side the spectral split puts 8 on, the cut ties are 8's two ties to the other side: with unit
    costs 8 covers both (2 ties per unit cost against 1), and removing it leaves the two cliques. With the
    broker a Person (cost 10) and the others Phones (cost 1), covering the two ties through their other ends
    (cost 2) is cheaper, and cuts 8 off one clique.
    """
    a = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    return ig.Graph(a + [(i + 4, j + 4) for i, j in a] + [(8, 0), (8, 1), (8, 4), (8, 5)])


def _adjacency(g: ig.Graph) -> csr_matrix:
    ip, ind = csr_arrays(g)
    return csr_matrix((np.ones(len(ind)), ind, ip), shape=(g.vcount(), g.vcount()))


def test_unit_costs_cut_the_broker():
    g = _cliques_and_broker()
    order = gnd_ranking(g, target_fraction=0.5)["node_id"].tolist()
    assert order[0] == 8
    assert lcc_after_removals(g, order[:1]) == [4]  # both cliques left whole, at most 4 = 0.5 * 9 nodes


def test_costs_make_the_cut_go_around_a_costly_broker():
    g = _cliques_and_broker()
    g.vs["label"] = ["Phone"] * 8 + ["Person"]
    order = gnd_ranking(g, target_fraction=0.5, costs=DEFAULT_COSTS)["node_id"].tolist()
    assert sorted(order[:2]) in ([0, 1], [4, 5])  # cost 2 instead of the broker's 10
    assert 8 not in order[:4]
    assert len(g.induced_subgraph([v for v in range(9) if v not in order[:2]]).connected_components()) == 2


def test_fiedler_split_separates_a_barbell_dense_and_iterative():
    for k in (5, 50):  # 10 nodes: dense eigensolver; 100 nodes: ARPACK on the deflated operator
        g = ig.Graph.Full(k).disjoint_union(ig.Graph.Full(k))
        g.add_edge(k - 1, k)
        side = fiedler_split(_adjacency(g), np.ones(2 * k))
        assert side[:k].all() != side[k:].all()
        assert len(set(side[:k])) == len(set(side[k:])) == 1


def test_order_reaches_the_target_then_lists_every_node():
    rng = np.random.default_rng(2)
    g = ig.Graph(n=300, edges=rng.integers(0, 300, size=(600, 2)).tolist()).simplify()
    r = gnd_ranking(g, target_fraction=0.05)
    assert sorted(r["node_id"]) == list(range(300))
    lcc = np.asarray(lcc_after_removals(g, r["node_id"]))
    random_lcc = np.asarray(lcc_after_removals(g, rng.permutation(300).tolist()))
    # removals until no component has more than 15 nodes: far fewer than a random order needs
    assert np.argmax(lcc <= 15) < 0.7 * np.argmax(random_lcc <= 15)


def test_gnd_is_compared_with_the_cost_aware_strategies_on_the_same_costs():
    g = _cliques_and_broker()
    g.vs["label"] = ["Phone"] * 8 + ["Person"]
    res = disrupt(g, strategies=["gnd", "non_person", "degree"], costs=DEFAULT_COSTS, budget_cost=2.0)
    s = res.summary.set_index("strategy")
    assert s.loc["gnd", "cost_at_budget"] == 2.0
    assert s.loc["gnd", "lcc_fraction_at_budget"] <= s.loc["degree", "lcc_fraction_at_budget"]


def test_bad_target_is_refused():
    with pytest.raises(ParameterError, match="'target_fraction' parameter of gnd_ranking"):
        gnd_ranking(ig.Graph.Ring(5), target_fraction=0)
