"""The exact critical node program (HiGHS): hand-checked graphs, brute force, and the optimiser's gap."""

from __future__ import annotations

import itertools
import random

import igraph as ig
import pytest

from crimnet import datasets
from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import critical_nodes_exact, optimise_removals, pairwise_connectivity


def test_path_hand_checked():
    # a path of 7 nodes less 2 of them: pieces of 2, 1 and 2 nodes at best, 2 connected pairs
    res = critical_nodes_exact(ig.Graph.Ring(7, circular=False), 2)
    assert (res.pairwise, res.lower_bound, res.optimal, res.lcc) == (2, 2, True, 2)
    assert sorted(res.removed) in ([2, 4], [2, 5], [1, 4])
    # 5 nodes left with a largest piece of L hold at most 5 (L - 1) / 2 pairs: L >= 1 + 2 * 2 / 5, so 2
    assert res.lcc_lower_bound == 2


def test_star_and_no_removal():
    star = ig.Graph.Star(6)
    res = critical_nodes_exact(star, 1)
    assert res.removed == [0] and res.pairwise == 0 and res.lcc == 1
    whole = critical_nodes_exact(ig.Graph.Ring(6), 0)
    assert whole.removed == [] and whole.pairwise == 15 and whole.lcc == 6


def test_names_and_pairwise_connectivity():
    g = ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (1, 3)])
    g.vs["name"] = list("abcde")
    assert pairwise_connectivity(g) == 10
    assert pairwise_connectivity(g, ["b", "d"]) == 0  # a, c and e alone
    res = critical_nodes_exact(g, 1)
    assert res.pairwise == 3 and res.removed in (["b"], ["d"])  # {a} {c d e} or {a b c} {e}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_brute_force(seed):
    g = _seeded_gnm(13, 20, seed)
    best = min(pairwise_connectivity(g, c) for c in itertools.combinations(range(13), 3))
    res = critical_nodes_exact(g, 3)
    assert res.optimal and res.pairwise == res.lower_bound == best
    assert pairwise_connectivity(g, res.removed) == best


def _seeded_gnm(n, m, seed):
    """A random graph of n nodes and m ties from Python's seeded generator."""
    rng = random.Random(seed)
    edges = set()
    while len(edges) < m:
        a, b = rng.sample(range(n), 2)
        edges.add((min(a, b), max(a, b)))
    return ig.Graph(n=n, edges=sorted(edges))


def test_the_optimiser_reaches_the_optimum_on_siren():
    g = datasets.load_network("siren")
    exact = critical_nodes_exact(g, 5, time_limit=60)
    assert exact.optimal and exact.pairwise == 42
    found = optimise_removals(g, k=5, objective="pairwise_at_k", iterations=300)
    assert found.value >= exact.lower_bound  # the bound holds for every set
    assert found.value == 42  # gap 0: sequential betweenness's first 5 are optimal here
    assert found.value == pairwise_connectivity(g, found.ranking["node_id"].head(5))
    # the largest component's bound holds for the optimiser's best LCC after 5 removals
    assert optimise_removals(g, k=5, objective="lcc_at_k", iterations=300).value >= exact.lcc_lower_bound


def test_the_optimiser_leaves_the_seed_for_the_optimum_on_krebs():
    # 9/11 network, 3 removals: sequential betweenness's first 3 leave 378 connected pairs, the optimum 310
    # (removing 0, 2 and 6: proved by critical_nodes_exact in about 6 s, benchmarks/results/disrupt_exact.md)
    g = datasets.load_network("krebs_911_terrorists")
    assert pairwise_connectivity(g, ["0", "2", "6"]) == 310
    found = optimise_removals(g, k=3, objective="pairwise_at_k", iterations=2000, seed=0)
    assert found.seed_value == 378 and found.value == 310


def test_bad_parameters_are_refused():
    with pytest.raises(ParameterError, match="at most 150 nodes"):
        critical_nodes_exact(ig.Graph.Ring(151), 2)
    with pytest.raises(ParameterError, match="'k' parameter of critical_nodes_exact"):
        critical_nodes_exact(ig.Graph.Ring(5), 6)
    with pytest.raises(ParameterError, match="'removed' parameter of pairwise_connectivity"):
        pairwise_connectivity(ig.Graph.Ring(5), [9])
