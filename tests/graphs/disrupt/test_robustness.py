"""Robustness curves: union-find pass against brute force, R-index, reachability."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimnet.errors import ParameterError
from crimnet.graphs.disrupt.robustness import r_index, robustness_curve, robustness_curve_bruteforce


@st.composite
def graph_order_pairs(draw):
    n = draw(st.integers(1, 40))
    p = draw(st.floats(0.0, 0.3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    iu = np.triu_indices(n, 1)
    hit = rng.random(len(iu[0])) < p
    g = ig.Graph(n=n, edges=np.stack([iu[0][hit], iu[1][hit]], axis=1).tolist())
    # random extra parallel edges and loops must not change connectivity
    extra = rng.integers(0, n, size=(draw(st.integers(0, 3)), 2)).tolist()
    g.add_edges(extra)
    k = draw(st.integers(0, n))
    order = rng.permutation(n)[:k].tolist()
    npairs = draw(st.integers(0, 12))
    pairs = [tuple(int(x) for x in rng.integers(0, n, 2)) for _ in range(npairs)]
    return g, order, pairs


@settings(max_examples=150, deadline=None)
@given(graph_order_pairs())
def test_union_find_curve_equals_bruteforce(case):
    g, order, pairs = case
    for kw in ({}, {"pairs": pairs}, {"victims": [p[0] for p in pairs], "controllers": [p[1] for p in pairs]}):
        fast = robustness_curve(g, order, **kw)
        slow = robustness_curve_bruteforce(g, order, **kw)
        pd.testing.assert_frame_equal(fast, slow)


@settings(max_examples=100, deadline=None)
@given(graph_order_pairs(), st.integers(1, 50))
def test_r_index_in_unit_interval(case, budget):
    g, order, _ = case
    curve = robustness_curve(g, order)
    for b in (None, budget):
        r = r_index(curve, budget=b)
        assert np.isnan(r) if not order else 0.0 <= r <= 1.0


def test_curve_known_values_star():
    g = ig.Graph.Star(5)
    c = robustness_curve(g, [0, 1, 2, 3, 4])
    assert c["lcc_fraction"].tolist() == [1.0, 0.2, 0.2, 0.2, 0.2, 0.0]
    assert c["fraction_removed"].tolist() == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert r_index(c) == pytest.approx(0.8 / 5)  # Schneider: (1/N) sum_{Q=1..N} s(Q)
    assert r_index(c, budget=2) == pytest.approx(0.2)
    assert c["victims_reachable_fraction"].isna().all()


def test_curve_reachability_pairs_and_names():
    # controller c reaches victims v1 (via phone p) and v2 (via address a)
    g = ig.Graph([(0, 1), (1, 2), (0, 3), (3, 4)])
    g.vs["name"] = ["c", "p", "v1", "a", "v2"]
    ranking = pd.DataFrame({"rank": [2, 1], "node_id": ["a", "p"]})  # p first by rank
    c = robustness_curve(g, ranking, pairs=[("v1", "c"), ("v2", "c")])
    assert c["victims_reachable_fraction"].tolist() == [1.0, 0.5, 0.0]
    # removing a controller disconnects its pairs
    c2 = robustness_curve(g, ["c"], victims=["v1", "v2"], controllers=["c"])
    assert c2["victims_reachable_fraction"].tolist() == [1.0, 0.0]


def test_curve_rejects_unknown_and_duplicate_nodes():
    g = ig.Graph.Ring(4)
    with pytest.raises(ParameterError, match="'ranking' parameter of robustness_curve"):
        robustness_curve(g, [0, 9])
    with pytest.raises(ParameterError, match="at most once"):
        robustness_curve(g, [1, 1])
    with pytest.raises(ParameterError, match="'budget' parameter of r_index"):
        r_index(robustness_curve(g, [0]), budget=0)


def test_bruteforce_steps_subset_matches():
    rng = np.random.default_rng(3)
    g = ig.Graph(n=200, edges=rng.integers(0, 200, size=(400, 2)).tolist())
    order = rng.permutation(200).tolist()
    full = robustness_curve(g, order)
    part = robustness_curve_bruteforce(g, order, steps=[0, 50, 200])
    pd.testing.assert_frame_equal(full.iloc[[0, 50, 200]].reset_index(drop=True), part)
