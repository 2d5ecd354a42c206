"""Centrality: known betweenness values, the barbell bridge, sampled error, brokerage roles."""

import itertools

import igraph as ig
import numpy as np
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect.centrality import (
    betweenness_scores,
    brokerage_roles,
    degree_scores,
    pagerank_scores,
    weighted_degree_scores,
)


def test_path_graph_betweenness_exact():
    # path of 5: vertex i lies on i * (4 - i) shortest paths
    s = betweenness_scores(ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4)]), normalized=False)
    assert s["score"].tolist() == [0.0, 3.0, 4.0, 3.0, 0.0]
    norm = betweenness_scores(ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4)]))
    assert norm["score"].tolist() == pytest.approx([0, 0.5, 4 / 6, 0.5, 0])
    assert norm.attrs["exact"] is True


def test_barbell_bridge_has_highest_betweenness():
    g = ig.Graph.Full(6) + ig.Graph.Full(6)
    g.add_edge(5, 6)
    s = betweenness_scores(g, normalized=False)["score"].to_numpy()
    assert set(np.argsort(-s)[:2]) == {5, 6}
    assert s[5] == pytest.approx(5 * 6)  # bridge end: on every path from its 5 clique mates to the 6 others


def test_sampled_betweenness_is_close_and_states_error():
    g = ig.Graph.Barabasi(3000, 2)
    exact = betweenness_scores(g, exact_max=10_000)["score"].to_numpy()
    approx = betweenness_scores(g, exact_max=100, n_pivots=800, seed=1)
    assert approx.attrs["exact"] is False and 0 < approx.attrs["relative_error"] < 0.3
    top = np.argsort(-exact)[:30]
    rel = np.abs(approx["score"].to_numpy()[top] - exact[top]) / exact[top]
    assert np.median(rel) < 0.2
    assert np.corrcoef(exact, approx["score"])[0, 1] > 0.95


def _brute_brokerage(g, memb):
    roles = np.zeros((g.vcount(), 4), dtype=int)
    adj = [set(g.neighbors(v)) for v in range(g.vcount())]
    for b in range(g.vcount()):
        for a, c in itertools.combinations(sorted(adj[b]), 2):
            if c in adj[a]:
                continue
            ga, gb, gc = memb[a], memb[b], memb[c]
            if ga == gb == gc:
                roles[b, 0] += 1
            elif ga == gc:
                roles[b, 1] += 1
            elif ga == gb or gc == gb:
                roles[b, 2] += 1
            else:
                roles[b, 3] += 1
    return roles


def test_brokerage_roles_match_brute_force():
    rng = np.random.default_rng(0)
    g = ig.Graph.Erdos_Renyi(40, 0.15)
    memb = rng.integers(0, 4, size=40)
    r = brokerage_roles(g, membership=memb)
    expected = _brute_brokerage(g, memb)
    got = r[["coordinator", "itinerant", "representative", "liaison"]].to_numpy()
    assert (got == expected).all()
    assert r["score"].to_numpy() == pytest.approx(expected[:, 1:].sum(axis=1))
    with pytest.raises(ParameterError, match="The 'membership' parameter of brokerage_roles"):
        brokerage_roles(g, membership=[0, 1])


def test_degree_pagerank_and_weighted_degree():
    g = ig.Graph.Star(5)
    g.es["weight"] = [1.0, 2.0, 3.0, 4.0]
    assert degree_scores(g)["score"].tolist() == [4, 1, 1, 1, 1]
    assert weighted_degree_scores(g)["score"].tolist() == [10, 1, 2, 3, 4]
    pr = pagerank_scores(g)
    assert pr["score"].sum() == pytest.approx(1.0) and pr["score"].idxmax() == 0
    assert list(pr.columns) == ["node_id", "label", "method", "score"]
    with pytest.raises(ParameterError, match="The 'damping' parameter of pagerank_scores must be a float in"):
        pagerank_scores(g, damping=1.5)
