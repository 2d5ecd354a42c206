"""The optimiser on victim-controller reachability: never worse than any heuristic, the labelled cut included."""

from __future__ import annotations

import igraph as ig
import pytest

from crimnet.cases import load_network
from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import optimise_removals, robustness_curve, strategies
from crimnet.synthetic import generate_case


@pytest.fixture(scope="module")
def ringed(tmp_path_factory):
    """A small generated town with three planted rings: its truth graph and true victim-controller pairs."""
    root = tmp_path_factory.mktemp("ringed")
    generate_case(root, people=300, seed=3, rings=3, ring_size=(10, 14))
    net = load_network(tables=root / "truth" / "tables", truth=root)
    return net.graph, net.pairs


def _connected_pairs(graph, removed, pairs):
    """Pairs still connected after removing `removed`, from the robustness curve (an independent count)."""
    share = robustness_curve(graph, list(removed), pairs=pairs)["victims_reachable_fraction"].iloc[-1]
    return round(share * len(set(pairs)))


def test_hand_checked_bridge():
    # victims 0 and 1 reach controller 5 only through 2 or 3 and then 4: removing 4 (not a pair's end) cuts both
    g = ig.Graph([(0, 2), (1, 3), (2, 4), (3, 4), (4, 5), (5, 6), (6, 7)])
    res = optimise_removals(g, k=1, objective="pairs_at_k", pairs=[(0, 5), (1, 5)], iterations=50)
    assert res.pairs == 2 and res.value == 0
    # removing the controller 5 also leaves no pair, but a larger remnant (0..4, 5 nodes, against 3): 4 is preferred
    assert res.ranking["node_id"].iloc[0] == 4


@pytest.mark.parametrize("k", [2, 10])
def test_never_worse_than_any_heuristic_on_a_generated_case(ringed, k):
    g, pairs = ringed
    res = optimise_removals(g, k=k, objective="pairs_at_k", pairs=pairs, iterations=600, seed=0)
    assert res.pairs == len(set(pairs)) > 10
    # every strategy was tried, the one that reads the true pairs among them
    assert set(res.heuristics) == set(strategies(needs_pairs=False)) | {"victim_controller_cut"}
    assert res.value <= min(res.heuristics.values()) == res.seed_value
    assert res.value == _connected_pairs(g, res.ranking["node_id"].head(k), pairs)
    cut = res.heuristics["victim_controller_cut"]
    assert res.value <= cut


def test_the_search_improves_on_the_labelled_cut(ringed):
    # the cut never removes a victim or controller while another cut exists; at 5 removals it leaves pairs
    # connected that removing the rings' controllers separates
    g, pairs = ringed
    res = optimise_removals(g, k=5, objective="pairs_at_k", pairs=pairs, iterations=600, seed=0)
    assert res.seed_strategy == "victim_controller_cut"
    assert res.value < res.seed_value
    controllers = {c for _, c in pairs}
    if len(controllers) <= 5:  # all controllers fit in the budget: the optimum is 0
        assert res.value == 0


def test_victims_and_controllers_make_every_pair(ringed):
    g, pairs = ringed
    victims, controllers = sorted({v for v, _ in pairs}), sorted({c for _, c in pairs})
    res = optimise_removals(
        g, k=2, objective="pairs_at_k", victims=victims, controllers=controllers, iterations=100, seed=1
    )
    assert res.pairs == len(victims) * len(controllers)
    assert res.value <= min(res.heuristics.values())


def test_reachability_needs_labels():
    with pytest.raises(ParameterError, match="'pairs' parameter of optimise_removals"):
        optimise_removals(ig.Graph.Ring(6), k=2, objective="pairs_at_k")
