from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from crimnet.errors import CrimnetError
from crimnet.viz import cluster_subgraph, path_subgraph, seeded_layout


def test_path_subgraph_draws_the_shortest_path_between_two_people(graph):
    sub = path_subgraph(graph, ["Person:p1", "Person:p3"])
    # p1 and p3 meet only at their shared address
    assert sorted(sub.vs["name"]) == ["Address:AB1 2CD|1 high street", "Person:p1", "Person:p3"]
    assert [n for n, m in zip(sub.vs["name"], sub.vs["member"], strict=True) if m] == ["Person:p1", "Person:p3"]
    # one hop around the path adds p1's phone and account and p2 (at the address), not p2's account
    assert path_subgraph(graph, ["Person:p1", "Person:p3"], hops=1).vcount() == graph.vcount() - 1


def test_path_subgraph_says_when_there_is_no_path():
    g = ig.Graph(3, [(0, 1)])
    g.vs["name"] = ["Person:a", "Person:b", "Person:c"]
    with pytest.raises(CrimnetError, match="not connected"):
        path_subgraph(g, ["Person:a", "Person:c"])
    with pytest.raises(CrimnetError, match="not in the graph"):
        path_subgraph(g, ["Person:a", "Person:zz"])


def test_one_entity_to_n_hops(graph):
    phone = "Phone:+447700900001"
    assert sorted(cluster_subgraph(graph, [phone], hops=1).vs["name"]) == ["Person:p1", "Person:p2", phone]
    assert cluster_subgraph(graph, [phone], hops=2).vcount() == 6  # + the address and the two accounts


def test_seeded_layout_is_the_same_every_time_and_differs_by_seed():
    g = ig.Graph.Erdos_Renyi(60, 0.06, directed=False)
    a, b = seeded_layout(g, seed=3), seeded_layout(g.copy(), seed=3)
    assert a.shape == (60, 2) and np.array_equal(a, b)
    assert np.abs(a).max() == pytest.approx(1.0) and not np.array_equal(a, seeded_layout(g, seed=4))
