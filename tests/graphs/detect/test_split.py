"""Splitting oversized communities: Leiden inside each community, batched Fiedler cuts, edge arrays."""

import igraph as ig
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from crimnet.errors import ParameterError
from crimnet.graphs.arrays import edge_arrays
from crimnet.graphs.detect import detect
from crimnet.graphs.detect.spectral import fiedler_vector
from crimnet.graphs.detect.split import fiedler_bisection, leiden_split, split_oversized, sweep_cut
from crimnet.graphs.views import adjacency, person_projection


def ring_of_cliques(k, size, *, bridge_weight=1.0):
    """`k` cliques of `size` vertices, clique i joined to clique i+1 by one edge."""
    g = ig.Graph()
    for _ in range(k):
        g = g + ig.Graph.Full(size)
    g.es["weight"] = [1.0] * g.ecount()
    for i in range(k):
        g.add_edge(i * size, ((i + 1) % k) * size + 1, weight=bridge_weight)
    return g


def barbell(m):
    g = ig.Graph.Full(m) + ig.Graph.Full(m)
    g.add_edge(m - 1, m)
    return g


def _conductance(a, side):
    deg = np.asarray(a.sum(axis=1)).ravel()
    cut = a[side][:, ~side].sum()
    return cut / min(deg[side].sum(), deg[~side].sum())


def test_leiden_split_recovers_cliques_inside_one_big_cluster():
    g = ring_of_cliques(12, 8)
    one = pd.DataFrame({"cluster_id": [0], "method": ["leiden"], "members": [[str(i) for i in range(g.vcount())]]})
    c = leiden_split(g, clusters=one, max_size=20)
    assert sorted(map(lambda m: sorted(map(int, m)), c["members"])) == [
        list(range(i * 8, (i + 1) * 8)) for i in range(12)
    ]
    assert (c["method"] == "leiden+leiden").all()
    # clusters already small enough are left alone
    small = leiden_split(g, clusters=one, max_size=200)
    assert small["size"].tolist() == [96]


def test_split_by_leiden_is_each_communitys_own_modularity():
    """Splitting two communities in one call gives what splitting each alone gives."""
    a = ring_of_cliques(6, 7)
    b = ring_of_cliques(5, 9, bridge_weight=0.5)
    g = a + b
    g.es["weight"] = a.es["weight"] + b.es["weight"]
    n_a = a.vcount()
    two = pd.DataFrame({"members": [[str(i) for i in range(n_a)], [str(i) for i in range(n_a, g.vcount())]]})

    def membership(graph, clusters=None):
        c = leiden_split(graph, clusters=clusters, max_size=10, resolution=1.0, seed=0)
        return np.asarray(c.attrs["membership"])

    both, alone_a, alone_b = membership(g, two), membership(a), membership(b)  # a and b alone: one component each
    ari = ig.compare_communities
    assert ari(both[:n_a].tolist(), alone_a.tolist(), method="adjusted_rand") == pytest.approx(1.0)
    assert ari(both[n_a:].tolist(), alone_b.tolist(), method="adjusted_rand") == pytest.approx(1.0)
    assert len(set(both[:n_a]) & set(both[n_a:])) == 0  # never across communities


def _reference_sweep_cut(a: sp.csr_matrix, v: np.ndarray) -> np.ndarray:
    """The Cheeger sweep of one piece: the prefix of the order of `v` with the smallest conductance."""
    n = len(v)
    order = np.argsort(v, kind="stable")
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    coo = sp.triu(a, k=1).tocoo()
    lo = np.minimum(pos[coo.row], pos[coo.col])
    hi = np.maximum(pos[coo.row], pos[coo.col])
    diff = np.zeros(n + 1)
    np.add.at(diff, lo, coo.data)
    np.add.at(diff, hi, -coo.data)
    cut = np.cumsum(diff)[: n - 1]  # weight crossing between prefix [0..i] and the rest
    deg = np.asarray(a.sum(axis=1)).ravel()
    vol = np.cumsum(deg[order])[: n - 1]
    total = deg.sum()
    denom = np.minimum(vol, total - vol)
    cond = np.where(denom > 0, cut / np.where(denom > 0, denom, 1), np.inf)
    i = int(np.argmin(cond))
    side = np.zeros(n, dtype=bool)
    side[order[: i + 1]] = True
    return side


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batched_sweep_cuts_match_one_at_a_time(seed):
    rng = np.random.default_rng(seed)
    pieces = [ig.Graph.Erdos_Renyi(n=int(n), p=0.25, directed=False) for n in rng.integers(12, 60, size=6)]
    pieces = [p for p in pieces if p.is_connected()]
    assert len(pieces) >= 3  # the comparison below must not pass on nothing
    g = ig.Graph()
    for p in pieces:
        g = g + p
    g.es["weight"] = rng.uniform(0.2, 2.0, g.ecount()).tolist()
    memb = np.repeat(np.arange(len(pieces)), [p.vcount() for p in pieces])
    side = sweep_cut(g, memb, weight="weight", seed=0)
    start = 0
    for p in pieces:
        idx = np.arange(start, start + p.vcount())
        sub = g.induced_subgraph(idx.tolist())
        a = adjacency(sub, weight="weight")
        _, v = fiedler_vector(sub, weight="weight")
        expected = _reference_sweep_cut(a, v)
        got = side[idx]
        assert 0 < got.sum() < len(idx)
        assert _conductance(a, got) == pytest.approx(_conductance(a, expected), rel=1e-6)
        start += p.vcount()


def test_split_oversized_is_leiden_split_then_fiedler_bisection():
    g = ring_of_cliques(12, 8)
    got = split_oversized(g, np.zeros(g.vcount(), dtype=int), max_size=5, leiden_above=20, seed=0)
    tables = fiedler_bisection(g, clusters=leiden_split(g, max_size=20, seed=0), max_size=5, seed=0)
    assert np.bincount(got).max() <= 5
    ari = ig.compare_communities(got.tolist(), tables.attrs["membership"], method="adjusted_rand")
    assert ari == pytest.approx(1.0)
    small = np.repeat(np.arange(12), 8)  # communities at or under max_size keep their labels
    assert split_oversized(g, small, max_size=8).tolist() == small.tolist()
    with pytest.raises(ParameterError, match="The 'membership' parameter of split_oversized"):
        split_oversized(g, [0, 1])


def test_sweep_cut_leaves_single_vertices_and_unassigned_vertices_uncut():
    g = ring_of_cliques(2, 5)
    memb = np.r_[np.zeros(5, int), -1, np.ones(3, int), 2]
    side = sweep_cut(g, memb, weight="weight")
    assert not side[5] and not side[9]
    for label in (0, 1):
        assert 0 < side[memb == label].sum() < (memb == label).sum()


def test_fiedler_bisection_cuts_the_barbell_bridge():
    g = barbell(8)
    c = fiedler_bisection(g, max_size=10)
    assert sorted(map(sorted, c["members"])) == [sorted(map(str, range(8))), sorted(map(str, range(8, 16)))]


def test_fiedler_bisection_splits_only_oversized_clusters():
    g = barbell(6) + ig.Graph.Full(4)
    given = pd.DataFrame(
        {"cluster_id": [0, 1], "method": "leiden", "members": [[str(i) for i in range(12)], ["12", "13", "14", "15"]]}
    )
    c = fiedler_bisection(g, clusters=given, max_size=6)
    assert sorted(c["size"].tolist()) == [4, 6, 6]
    assert (c["method"] == "leiden+fiedler").all()


def test_fiedler_bisection_splits_disconnected_pieces_into_components():
    g = ig.Graph.Full(5) + ig.Graph.Full(5) + ig.Graph.Full(5)
    one = pd.DataFrame({"cluster_id": [0], "method": ["x"], "members": [[str(i) for i in range(15)]]})
    c = fiedler_bisection(g, clusters=one, max_size=6)
    assert sorted(c["size"].tolist()) == [5, 5, 5]
    assert sorted(map(sorted, c["members"]))[0] == sorted(map(str, range(5)))


def test_edge_arrays_match_the_edge_list():
    g = ig.Graph([(0, 1), (2, 1), (3, 0)])
    u, v = edge_arrays(g)
    assert list(zip(u.tolist(), v.tolist(), strict=True)) == g.get_edgelist()
    from tests.fixtures import toy_case

    tables, _ = toy_case(n_families=40, n_rings=2, seed=3)
    proj = person_projection(tables)
    u, v = edge_arrays(proj)  # kept from the build
    assert list(zip(u.tolist(), v.tolist(), strict=True)) == proj.get_edgelist()
    proj.add_edge(0, 1)
    u, v = edge_arrays(proj)  # stale arrays are not used after an edit
    assert len(u) == proj.ecount() and (u[-1], v[-1]) == (0, 1)


def test_detect_keeps_clusters_under_max_size_and_splits_big_ones():
    from tests.fixtures import toy_case

    tables, _ = toy_case(n_families=150, n_rings=4, seed=1)
    for max_size in (5, 12):
        r = detect(tables, methods=("leiden", "infomap"), max_cluster_size=max_size, min_size=1)
        assert r.clusters["size"].max() <= max_size
        for _, c in r.clusters.groupby("method"):
            members = [m for ms in c["members"] for m in ms]
            assert len(members) == len(set(members))  # a partition: nobody twice


def test_split_parameter_errors():
    with pytest.raises(ParameterError, match="The 'max_size' parameter of leiden_split"):
        leiden_split(ig.Graph.Full(3), max_size=1)
    with pytest.raises(ParameterError, match="The 'resolution' parameter of leiden_split"):
        leiden_split(ig.Graph.Full(3), resolution=0.0)
    with pytest.raises(ParameterError, match="The 'max_size' parameter of fiedler_bisection must be an int"):
        fiedler_bisection(ig.Graph.Full(3) + ig.Graph.Full(3), max_size=1)


def test_detect_case_reads_without_lists_and_finds_the_same_clusters(tmp_path):
    from crimnet.cases import detect_case
    from crimnet.tables import CanonicalTables
    from tests.fixtures import toy_case

    tables, _ = toy_case(n_families=60, n_rings=3, seed=2)
    tables.write(tmp_path / "t")
    r, _ = detect_case(tmp_path / "t", out=tmp_path / "out", methods=("leiden",))
    full = detect(CanonicalTables.read(tmp_path / "t"), methods=("leiden",))
    assert r.clusters["members"].tolist() == full.clusters["members"].tolist()
    assert r.clusters["score"].tolist() == pytest.approx(full.clusters["score"].tolist())
    assert {"read", "projection", "leiden_clusters", "leiden_risk", "write"} <= set(r.timings)
    assert (tmp_path / "out" / "clusters.parquet").exists()


def test_chunked_infomap_finds_the_same_cliques_as_whole_infomap():
    from crimnet.graphs.detect.community import infomap_clusters

    g = ring_of_cliques(30, 6, bridge_weight=0.2)
    whole = infomap_clusters(g, seed=1)
    chunked = infomap_clusters(g, seed=1, chunk=40)  # 180 vertices: Leiden communities in chunks of about 40
    expected = [list(range(i * 6, (i + 1) * 6)) for i in range(30)]
    assert sorted(sorted(map(int, m)) for m in whole["members"]) == expected
    assert sorted(sorted(map(int, m)) for m in chunked["members"]) == expected
    assert chunked.attrs["parameters"]["chunk"] == 40
    with pytest.raises(ParameterError, match="The 'chunk' parameter of infomap_clusters"):
        infomap_clusters(g, chunk=1)


def test_clusters_tables_of_two_methods_concatenate():
    # pandas compares attrs when concatenating: the membership kept there must compare as a value
    from crimnet.graphs.detect.community import leiden_clusters, louvain_clusters

    g = ring_of_cliques(4, 6)
    a, b = leiden_clusters(g, seed=0), louvain_clusters(g, seed=0)
    both = pd.concat([a, b], ignore_index=True)
    assert len(both) == len(a) + len(b) == 8
    assert len(a.attrs["membership"]) == g.vcount()


def test_leiden_split_on_the_heterogeneous_graph_splits_people_only():
    # ids repeat across labels in the heterogeneous graph; members are the Person vertices
    from crimnet.graphs.detect.community import leiden_clusters
    from crimnet.graphs.views import hetero_graph
    from tests.fixtures import toy_case

    tables, _ = toy_case(n_families=60, n_rings=2, seed=2)
    g = hetero_graph(tables)
    whole = leiden_clusters(g, seed=0, resolution=0.05)
    split = leiden_split(g, clusters=whole, max_size=10, seed=0)
    people = set(tables.nodes["Person"]["id"].astype(str))
    members = [m for ms in split["members"] for m in ms]
    assert split["size"].max() <= 10
    assert set(members) <= people and len(members) == len(set(members))
    assert len(members) == sum(len(ms) for ms in whole["members"])  # splitting loses nobody
