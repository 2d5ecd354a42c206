"""Spectral methods: eigengap on disjoint cliques, the Fiedler vector, sparse solver."""

import igraph as ig
import numpy as np
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.detect.evaluate import adjusted_rand_index
from crimnet.graphs.detect.spectral import (
    eigengap_k,
    fiedler_vector,
    spectral_clusters,
    spectral_embedding,
)


def cliques(k, size):
    g = ig.Graph()
    for _ in range(k):
        g = g + ig.Graph.Full(size)
    return g


def _labels(c, n):
    lab = np.full(n, -1)
    for cid, members in zip(c["cluster_id"], c["members"], strict=True):
        lab[np.asarray(members, dtype=int)] = cid
    return lab


@pytest.mark.parametrize("k", [2, 4, 7])
def test_eigengap_picks_number_of_disjoint_cliques(k):
    g = cliques(k, 6)
    c = spectral_clusters(g, k_max=10)
    assert c.attrs["k"] == k
    assert adjusted_rand_index(np.repeat(np.arange(k), 6), _labels(c, g.vcount())) == pytest.approx(1.0)


def test_eigenvalues_of_disjoint_cliques():
    lam, _ = spectral_embedding(cliques(3, 5), k=4)
    assert lam[:3] == pytest.approx([0, 0, 0], abs=1e-9)
    assert lam[3] == pytest.approx(5 / 4)  # normalised Laplacian of K_n: n / (n - 1)


def test_sparse_solver_matches_dense_on_planted_partition():
    rng = np.random.default_rng(0)
    k, size = 4, 300
    n = k * size
    truth = np.repeat(np.arange(k), size)
    edges = []
    for _ in range(8 * n):
        a = rng.integers(n)
        b = rng.integers(n) if rng.random() < 0.05 else truth[a] * size + rng.integers(size)
        if a != b:
            edges.append((a, b))
    g = ig.Graph(n=n, edges=edges).simplify()
    c = spectral_clusters(g, k=k, seed=0, dense_max=500)  # n = 1200 > dense_max: ARPACK path
    assert adjusted_rand_index(truth, _labels(c, n)) > 0.95
    lam_sparse, _ = spectral_embedding(g, k=5, dense_max=500)
    lam_dense, _ = spectral_embedding(g, k=5, dense_max=5000)
    assert lam_sparse == pytest.approx(lam_dense, abs=1e-6)
    regular = spectral_clusters(g, k=k, tau=float(np.mean(g.degree())), seed=0, dense_max=500)
    assert adjusted_rand_index(truth, _labels(regular, n)) > 0.95


def test_fiedler_vector_separates_the_barbell():
    g = ig.Graph.Full(8) + ig.Graph.Full(8)
    g.add_edge(7, 8)
    value, vec = fiedler_vector(g)
    assert 0 < value < 0.1
    assert len(set(np.sign(vec[:8]))) == 1 and np.sign(vec[0]) != np.sign(vec[15])


def test_spectral_parameter_errors():
    with pytest.raises(ParameterError, match="The 'tau' parameter of spectral_embedding must be a float in"):
        spectral_embedding(cliques(2, 3), k=2, tau=-1.0)
    assert eigengap_k(np.array([0.0, 0.1, 0.9, 1.0])) == 2
