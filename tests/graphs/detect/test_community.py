"""Community detection: planted partitions, partition invariants, parameter errors."""

import igraph as ig
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimnet.errors import ParameterError
from crimnet.graphs.detect import community
from crimnet.graphs.detect.evaluate import adjusted_rand_index

METHODS = [
    community.leiden_clusters,
    community.louvain_clusters,
    community.label_propagation_clusters,
    community.infomap_clusters,
    community.consensus_clusters,
]


def planted(k=5, size=20, p_in=0.6, p_out=0.005, seed=0):
    """Planted partition graph drawn with numpy (deterministic for a seed)."""
    rng = np.random.default_rng(seed)
    n = k * size
    truth = np.repeat(np.arange(k), size)
    i, j = np.triu_indices(n, 1)
    p = np.where(truth[i] == truth[j], p_in, p_out)
    keep = rng.random(len(i)) < p
    return ig.Graph(n=n, edges=np.column_stack([i[keep], j[keep]]).tolist()), truth


def _labels(clusters, n):
    lab = np.full(n, -1)
    for cid, members in zip(clusters["cluster_id"], clusters["members"], strict=True):
        lab[np.asarray(members, dtype=int)] = cid
    return lab


@pytest.mark.parametrize("func", METHODS, ids=lambda f: f.__name__)
def test_planted_partition_recovered(func):
    g, truth = planted(seed=3)
    c = func(g, seed=1)
    assert adjusted_rand_index(truth, _labels(c, g.vcount())) == pytest.approx(1.0)
    assert c.attrs["quality"] > 0.6


@pytest.mark.parametrize("func", METHODS, ids=lambda f: f.__name__)
def test_error_template(func):
    with pytest.raises(ParameterError, match=rf"The 'seed' parameter of {func.__name__} must be an int in \[0, inf\)"):
        func(ig.Graph.Full(3), seed=-1)
    with pytest.raises(ParameterError, match=f"The 'graph' parameter of {func.__name__} must be an undirected"):
        func(ig.Graph(directed=True), seed=0)


def test_leiden_resolution_changes_granularity():
    g = ig.Graph.Full(6) + ig.Graph.Full(6) + ig.Graph.Full(6)
    g.add_edges([(0, 6), (6, 12)])
    low = community.leiden_clusters(g, resolution=0.05, seed=0)
    high = community.leiden_clusters(g, resolution=1.0, seed=0)
    assert len(low) < len(high) == 3
    with pytest.raises(ParameterError, match="The 'resolution' parameter of leiden_clusters must be a float in"):
        community.leiden_clusters(g, resolution=0)


def test_hetero_graph_members_are_people():
    g = ig.Graph([(0, 2), (1, 2), (3, 4)])
    g.vs["label"] = ["Person", "Person", "Phone", "Person", "Person"]
    g.vs["node_id"] = ["a", "b", "+1", "c", "d"]
    c = community.leiden_clusters(g, seed=0)
    assert sorted(map(sorted, c["members"])) == [["a", "b"], ["c", "d"]]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 40), p=st.floats(0.0, 0.5), seed=st.integers(0, 1000))
def test_every_method_returns_a_partition(n, p, seed):
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n, 1)
    keep = rng.random(len(i)) < p
    g = ig.Graph(n=n, edges=np.column_stack([i[keep], j[keep]]).tolist())
    g.es["weight"] = list(np.linspace(0.5, 2.0, g.ecount()))
    for func in METHODS:
        c = func(g, seed=seed)
        members = [m for ms in c["members"] for m in ms]
        assert sorted(members, key=int) == [str(i) for i in range(n)]  # each vertex exactly once
        assert c["size"].tolist() == [len(m) for m in c["members"]]
        assert (np.diff(c["size"]) <= 0).all()  # largest first
        assert c["cluster_id"].tolist() == list(range(len(c)))


def test_consensus_is_stable_across_seeds():
    g, truth = planted(k=4, size=15, p_in=0.5, p_out=0.02, seed=5)
    a = community.consensus_clusters(g, seed=0)
    b = community.consensus_clusters(g, seed=100)
    assert adjusted_rand_index(_labels(a, g.vcount()), _labels(b, g.vcount())) == pytest.approx(1.0)
