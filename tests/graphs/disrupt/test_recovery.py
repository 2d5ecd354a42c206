"""The recovery model (Duijn, Kashirin & Sloot 2014): invariants of curves on networks that rewire."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from crimnet import datasets
from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import betweenness_adaptive_ranking, recovery_curve, robustness_curve


@pytest.fixture(scope="module")
def meetings():
    g = datasets.load_network("montagna_meetings_undirected")
    return g, betweenness_adaptive_ranking(g, budget=30)


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
def test_probability_zero_is_the_immediate_curve(meetings, mode):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=0.0, mode=mode, seed=3)
    np.testing.assert_array_equal(c["lcc_fraction_recovered"], c["lcc_fraction"])
    np.testing.assert_array_equal(c["lcc_fraction"], robustness_curve(g, ranking)["lcc_fraction"])
    assert (c["ties_added"] == 0).all()


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
@pytest.mark.parametrize("p", [0.3, 1.0])
def test_recovery_only_adds_ties(meetings, mode, p):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=p, mode=mode, seed=1)
    assert len(c) == 31 and c["k"].tolist() == list(range(31))
    assert (c["lcc_fraction_recovered"] >= c["lcc_fraction"]).all()
    # nodes are never added: a share of the original n, at most the n - k nodes left
    assert (c["lcc_fraction_recovered"] * g.vcount() <= g.vcount() - c["k"] + 1e-9).all()
    assert c["ties_added"].is_monotonic_increasing
    assert c["ties_added"].iloc[-1] > 0
    assert g.vcount() == 101 and g.ecount() == 256  # the input graph is untouched


def test_recovery_blunts_the_attack(meetings):
    g, ranking = meetings
    c = recovery_curve(g, ranking, p=0.5, seed=0)
    immediate, recovered = c["lcc_fraction"].iloc[1:21].sum(), c["lcc_fraction_recovered"].iloc[1:21].sum()
    assert recovered > immediate * 1.2  # Duijn et al.: disruption is far less effective once the network recovers


@pytest.mark.parametrize("mode", ["broker", "neighbours"])
def test_seeded_reproducibility(meetings, mode):
    g, ranking = meetings
    a = recovery_curve(g, ranking, p=0.4, mode=mode, seed=7)
    b = recovery_curve(g, ranking, p=0.4, mode=mode, seed=7)
    assert a.equals(b)
    others = [recovery_curve(g, ranking, p=0.4, mode=mode, seed=s)["ties_added"].iloc[-1] for s in range(8, 12)]
    assert len({a["ties_added"].iloc[-1], *others}) > 1


def test_broker_is_the_most_similar_survivor():
    # hub 0 with leaves 1..3 and 4; 4 shares neighbours 1 and 2 with the hub, so 4 takes over and ties to 3
    g = ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (4, 1), (4, 2)])
    c = recovery_curve(g, [0], p=1.0, mode="broker")
    assert c["ties_added"].tolist() == [0, 1]
    assert c["lcc_fraction_recovered"].tolist() == [1.0, 0.8]
    assert c["lcc_fraction"].tolist() == [1.0, 0.6]


def test_neighbours_close_ranks():
    c = recovery_curve(ig.Graph.Star(5), [0], p=1.0, mode="neighbours")
    assert c["ties_added"].tolist() == [0, 6]  # the 4 leaves form a clique
    assert c["lcc_fraction_recovered"].tolist() == [1.0, 0.8]


def test_bad_parameters_are_refused():
    g = ig.Graph.Star(4)
    with pytest.raises(ParameterError, match="'p' parameter of recovery_curve"):
        recovery_curve(g, [0], p=1.5)
    with pytest.raises(ParameterError, match="'mode' parameter"):
        recovery_curve(g, [0], mode="recruit")
    with pytest.raises(ParameterError, match="'k' parameter"):
        recovery_curve(g, [0], k=3)
