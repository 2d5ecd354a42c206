"""The removal-sequence optimiser: never worse than any heuristic, better than the published Montagna figure."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from crimnet import datasets
from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import (
    degree_ranking,
    get_strategy,
    lcc_after_removals,
    optimise_removals,
    robustness_curve,
    strategies,
)

NETWORKS = sorted(datasets.list(kind="network")["name"])


def test_lcc_after_removals_matches_the_robustness_curve():
    rng = np.random.default_rng(0)
    g = ig.Graph.Erdos_Renyi(80, m=160)
    for _ in range(5):
        seq = rng.permutation(80)[:25].tolist()
        curve = robustness_curve(g, seq)
        expected = np.rint(curve["lcc_fraction"].to_numpy()[1:] * 80).astype(int).tolist()
        assert lcc_after_removals(g, seq) == expected


def test_path_critical_nodes_hand_checked():
    # 2 cuts split a path of 7 nodes into at most 3 pieces of 5 nodes in all: the best largest piece is 2
    # (cut at 2 and 4, 2 and 5 or 1 and 4); greedy degree and betweenness start elsewhere
    g = ig.Graph.Ring(7, circular=False)
    res = optimise_removals(g, k=2, objective="lcc_at_k", iterations=300)
    assert res.value == res.lcc[-1] == 2
    assert sorted(res.ranking["node_id"].head(2)) in ([2, 4], [2, 5], [1, 4])


@pytest.mark.parametrize("name", NETWORKS)
def test_never_worse_than_any_heuristic(name):
    g = datasets.load_network(name)
    k = min(20, g.vcount())
    res = optimise_removals(g, k=k, iterations=150, seed=1)
    assert set(res.heuristics) == set(strategies(needs_pairs=False))
    assert res.value <= min(res.heuristics.values())
    assert res.value == sum(res.lcc) == sum(lcc_after_removals(g, res.ranking["node_id"].head(k)))
    # a full removal order whose first k nodes are the optimised ones
    assert sorted(res.ranking["node_id"].tolist()) == sorted(g.vs["name"])
    for heuristic in ("betweenness_adaptive", "degree", "collective_influence"):
        seq = get_strategy(heuristic).func(g, budget=k, seed=1)["node_id"]
        assert res.value <= sum(lcc_after_removals(g, seq))


def test_montagna_meetings_beats_the_published_figure():
    g = datasets.load_network("montagna_meetings_undirected")
    res = optimise_removals(g, k=20, iterations=2000, seed=0)
    assert res.seed_strategy == "betweenness_adaptive"
    assert res.seed_value == 545  # Cavallaro et al. 2020's sequential betweenness
    assert res.value < 545
    assert res.value == sum(res.lcc)
    assert res.ranking.attrs["seed_strategy"] == "betweenness_adaptive"


def test_r_index_budget_objective_and_given_seeds_are_reproducible():
    g = datasets.load_network("siren")
    k = max(1, int(0.05 * g.vcount()))
    seeds = [degree_ranking(g)]
    a = optimise_removals(g, k=k, seeds=seeds, iterations=300, seed=4)
    b = optimise_removals(g, k=k, seeds=seeds, iterations=300, seed=4)
    assert a.ranking["node_id"].tolist() == b.ranking["node_id"].tolist()
    assert a.heuristics == {"degree": a.seed_value}
    assert a.value <= a.seed_value
    # R-index to the budget is the LCC sum over n k
    curve = robustness_curve(g, a.ranking)
    assert curve["lcc_fraction"].to_numpy()[1 : k + 1].mean() == pytest.approx(a.value / (k * g.vcount()))


def test_bad_parameters_are_refused():
    g = ig.Graph.Ring(5)
    with pytest.raises(ParameterError, match="'k' parameter of optimise_removals"):
        optimise_removals(g, k=0)
    with pytest.raises(ParameterError, match="'objective' parameter"):
        optimise_removals(g, k=2, objective="diameter")
    with pytest.raises(ParameterError, match="distinct"):
        lcc_after_removals(g, [1, 1])
