"""Spectral methods: normalised-Laplacian embedding, eigengap clustering, the Fiedler vector.

All work on the sparse adjacency of :func:`crimnet.graphs.views.adjacency`.
Above `dense_max` vertices eigenvectors come from ARPACK (``scipy.sparse.linalg.eigsh``)
on the normalised adjacency ``D^-1/2 A D^-1/2``, never from a dense
eigendecomposition; below it a dense ``eigh`` is faster and exact
(:func:`top_eigenpairs`). Recursive Fiedler bisection of oversized
communities is in :mod:`crimnet.graphs.detect.split`.
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.cluster.vq import kmeans2

from crimnet.errors import check_interval, check_type
from crimnet.graphs.arrays import check_seeded_graph
from crimnet.graphs.detect.community import clusters_from_membership
from crimnet.graphs.views import adjacency

__all__ = [
    "normalised_adjacency",
    "spectral_embedding",
    "eigengap_k",
    "spectral_clusters",
    "fiedler_vector",
    "top_eigenpairs",
    "DENSE_MAX",
]

DENSE_MAX = 2000
"""Largest vertex count for which a dense eigendecomposition is used."""


def normalised_adjacency(a: sp.spmatrix, *, tau: float = 0.0) -> sp.csr_matrix:
    """Return ``D_tau^-1/2 A D_tau^-1/2`` with ``D_tau = D + tau I`` (Qin & Rohe regularisation).

    The normalised Laplacian is ``I`` minus this matrix, so its smallest
    eigenvalues are ``1 -`` the largest eigenvalues here. Isolated vertices get
    zero rows.

    >>> normalised_adjacency(sp.csr_matrix(np.array([[0., 1.], [1., 0.]]))).toarray()
    array([[0., 1.],
           [1., 0.]])
    """
    check_type(
        a,
        (sp.spmatrix, sp.sparray, np.ndarray),
        param="a",
        func="normalised_adjacency",
        expected="a scipy sparse matrix or numpy array",
    )
    check_interval(tau, param="tau", func="normalised_adjacency", low=0, closed="left")
    a = sp.csr_matrix(a, dtype=float)
    d = np.asarray(a.sum(axis=1)).ravel() + tau
    inv = np.zeros_like(d)
    inv[d > 0] = 1.0 / np.sqrt(d[d > 0])
    dm = sp.diags(inv)
    return (dm @ a @ dm).tocsr()


def top_eigenpairs(
    a: sp.spmatrix | np.ndarray, *, k: int = 2, seed: int = 0, dense_max: int = DENSE_MAX
) -> tuple[np.ndarray, np.ndarray]:
    """Return the `k` largest eigenvalues of a symmetric matrix and their eigenvectors.

    Parameters
    ----------
    a : scipy sparse matrix or ndarray, shape (n, n)
        Symmetric (e.g. :func:`normalised_adjacency`).
    k : int, default 2
        Number of eigenpairs, 1 <= k <= n.
    seed : int, default 0
        Seed of ARPACK's start vector.
    dense_max : int, default 2000
        Use a dense ``eigh`` at or below this many rows (>= 0), or when
        ``k >= n - 1``; ARPACK (``eigsh``) above.

    Returns
    -------
    values : ndarray of shape (k,)
        Eigenvalues in decreasing order.
    vectors : ndarray of shape (n, k)
        Matching unit eigenvectors (columns).

    Raises
    ------
    crimnet.errors.ParameterError
        If `a` is not a matrix or a number is out of range.

    Notes
    -----
    ARPACK (implicitly restarted Lanczos, tolerance 1e-8) costs O(nnz k) per
    restart and O(n k) memory; the dense path O(n^3) time and O(n^2) memory.

    Examples
    --------
    >>> vals, _ = top_eigenpairs(np.array([[0.0, 1.0], [1.0, 0.0]]), k=1)
    >>> np.round(vals, 6).tolist()
    [1.0]
    """
    func = "top_eigenpairs"
    check_type(
        a, (sp.spmatrix, sp.sparray, np.ndarray), param="a", func=func, expected="a scipy sparse matrix or numpy array"
    )
    m = sp.csr_matrix(a, dtype=float)
    n = m.shape[0]
    check_interval(k, param="k", func=func, low=1, high=max(n, 1), closed="both", integer=True)
    check_interval(seed, param="seed", func=func, low=0, closed="left", integer=True)
    check_interval(dense_max, param="dense_max", func=func, low=0, closed="left", integer=True)
    k = min(k, n)
    if n <= dense_max or k >= n - 1:
        import scipy.linalg as la

        vals, vecs = la.eigh(m.toarray(), subset_by_index=[n - k, n - 1])
        order = np.argsort(-vals)[:k]
        return vals[order], vecs[:, order]
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(n)
    vals, vecs = spla.eigsh(m, k=k, which="LA", v0=v0, tol=1e-8, maxiter=max(5000, 20 * n))
    order = np.argsort(-vals)
    return vals[order], vecs[:, order]


def spectral_embedding(
    graph: ig.Graph,
    *,
    k: int = 8,
    tau: float = 0.0,
    weight: str | None = "weight",
    seed: int = 0,
    dense_max: int = DENSE_MAX,
) -> tuple[np.ndarray, np.ndarray]:
    """Embed vertices with the first `k` eigenvectors of the normalised Laplacian.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    k : int, default 8
        Number of eigenvectors (1 <= k <= n).
    tau : float, default 0.0
        Degree regularisation (>= 0): ``D + tau I`` replaces ``D``. Use about the
        mean degree on sparse graphs with many low-degree vertices, whose
        unregularised eigenvectors localise on dangling trees.
    weight : str or None, default 'weight'
        Edge attribute of strengths; ``None`` for unweighted.
    seed : int, default 0
        Seed of ARPACK's start vector.
    dense_max : int, default 2000
        Use a dense ``eigh`` at or below this many vertices, ARPACK above.

    Returns
    -------
    eigenvalues : ndarray of shape (k,)
        Normalised Laplacian eigenvalues ``lambda_1 <= ... <= lambda_k`` in [0, 2].
    vectors : ndarray of shape (n, k)
        Matching eigenvectors of ``D^-1/2 A D^-1/2`` (columns).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    ARPACK (implicitly restarted Lanczos) costs O(m k + n k^2) per restart
    and O(n k) memory; the dense path costs O(n^3) time and O(n^2) memory.

    References
    ----------
    .. [1] von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics
       and Computing 17, 395-416. doi:10.1007/s11222-007-9033-z

    Examples
    --------
    >>> vals, vecs = spectral_embedding(ig.Graph.Full(3) + ig.Graph.Full(3), k=3)
    >>> np.round(vals, 3).tolist()
    [0.0, 0.0, 1.5]
    """
    func = "spectral_embedding"
    check_seeded_graph(graph, seed, func)
    n = graph.vcount()
    check_interval(k, param="k", func=func, low=1, high=max(n, 1), closed="both", integer=True)
    check_interval(tau, param="tau", func=func, low=0, closed="left")
    check_interval(dense_max, param="dense_max", func=func, low=1, closed="left", integer=True)
    m = normalised_adjacency(adjacency(graph, weight=weight), tau=tau)
    vals, vecs = top_eigenpairs(m, k=k, seed=seed, dense_max=dense_max)
    lam = np.clip(1.0 - vals, 0.0, 2.0)
    lam[np.abs(lam) < 1e-10] = 0.0
    return lam, vecs


def eigengap_k(eigenvalues: np.ndarray, *, k_min: int = 1, k_max: int | None = None) -> int:
    """Choose the number of clusters at the largest gap between consecutive Laplacian eigenvalues.

    ``k = argmax_{k_min <= k <= k_max} (lambda_{k+1} - lambda_k)``, eigenvalues ascending.

    Parameters
    ----------
    eigenvalues : array of float
        Ascending normalised Laplacian eigenvalues (at least ``k_max + 1``).
    k_min, k_max : int
        Range of k considered; `k_max` defaults to ``len(eigenvalues) - 1``.

    Returns
    -------
    int
        The chosen k.

    References
    ----------
    .. [1] von Luxburg, U. (2007). A tutorial on spectral clustering, section
       8.3. doi:10.1007/s11222-007-9033-z

    Examples
    --------
    >>> eigengap_k(np.array([0.0, 0.0, 0.0, 1.2, 1.3]))
    3
    """
    check_type(
        eigenvalues,
        (np.ndarray, list, tuple, pd.Series),
        param="eigenvalues",
        func="eigengap_k",
        expected="an array of eigenvalues",
    )
    if k_max is not None:
        check_interval(k_max, param="k_max", func="eigengap_k", low=1, closed="left", integer=True)
    lam = np.sort(np.asarray(eigenvalues, dtype=float))
    if len(lam) < 2:
        return 1
    k_max = len(lam) - 1 if k_max is None else min(k_max, len(lam) - 1)
    check_interval(k_min, param="k_min", func="eigengap_k", low=1, high=max(k_max, 1), closed="both", integer=True)
    gaps = np.diff(lam)  # gaps[i] = lambda_{i+2} - lambda_{i+1} (1-based), i.e. the gap after k = i + 1
    ks = np.arange(1, len(lam))
    sel = (ks >= k_min) & (ks <= k_max)
    return int(ks[sel][np.argmax(gaps[sel])])


def spectral_clusters(
    graph: ig.Graph,
    *,
    k: int | None = None,
    k_max: int = 20,
    tau: float = 0.0,
    weight: str | None = "weight",
    seed: int = 0,
    n_init: int = 5,
    dense_max: int = DENSE_MAX,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Cluster vertices by k-means on the row-normalised spectral embedding.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    k : int, optional
        Number of clusters; chosen by the eigengap among ``2..k_max`` when omitted.
    k_max : int, default 20
        Largest k the eigengap considers (computes ``k_max + 1`` eigenvectors).
    tau : float, default 0.0
        Degree regularisation (Qin & Rohe 2013); see :func:`spectral_embedding`.
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of ARPACK and k-means.
    n_init : int, default 5
        k-means restarts (k-means++ seeding); the lowest distortion wins.
    dense_max : int, default 2000
        Dense eigendecomposition at or below this many vertices.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop clusters with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table (method ``'spectral'``); ``attrs['k']`` and
        ``attrs['eigenvalues']`` record the choice.

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Ng-Jordan-Weiss normalised spectral clustering. Cost: the embedding
    (O(m k) per Lanczos restart) plus k-means O(n_init x iterations x n k^2).
    The eigengap is only meaningful for a few well-separated groups; on a large
    sparse graph with thousands of components cluster each component or use
    :func:`crimnet.graphs.detect.community.leiden_clusters`, then
    :func:`crimnet.graphs.detect.split.fiedler_bisection` for oversized communities.

    References
    ----------
    .. [1] von Luxburg, U. (2007). A tutorial on spectral clustering. Statistics
       and Computing 17, 395-416. doi:10.1007/s11222-007-9033-z
    .. [2] Ng, A., Jordan, M. & Weiss, Y. (2001). On spectral clustering:
       analysis and an algorithm. NIPS 14.
    .. [3] Qin, T. & Rohe, K. (2013). Regularized spectral clustering under the
       degree-corrected stochastic blockmodel. NIPS 26. arXiv:1309.4111
    .. [4] Amini, A. A., Chen, A., Bickel, P. J. & Levina, E. (2013).
       Pseudo-likelihood methods for community detection in large sparse
       networks. Ann. Statist. 41(4). doi:10.1214/13-AOS1138

    Examples
    --------
    >>> g = ig.Graph.Full(5) + ig.Graph.Full(5) + ig.Graph.Full(5)
    >>> c = spectral_clusters(g, k_max=6)
    >>> c.attrs["k"], sorted(c["size"])
    (3, [5, 5, 5])
    """
    func = "spectral_clusters"
    check_seeded_graph(graph, seed, func)
    n = graph.vcount()
    check_interval(k_max, param="k_max", func=func, low=1, closed="left", integer=True)
    if k is not None:
        check_interval(k, param="k", func=func, low=1, high=max(n, 1), closed="both", integer=True)
    check_interval(n_init, param="n_init", func=func, low=1, closed="left", integer=True)
    if n == 0:
        return clusters_from_membership(graph, [], method="spectral", member_label=member_label)
    n_vec = min(n, (k if k is not None else k_max) + 1)
    lam, vecs = spectral_embedding(graph, k=n_vec, tau=tau, weight=weight, seed=seed, dense_max=dense_max)
    chosen = k if k is not None else eigengap_k(lam, k_min=1, k_max=min(k_max, n_vec - 1))
    chosen = max(1, min(chosen, n))
    x = vecs[:, :chosen]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
    best, best_cost = np.zeros(n, dtype=np.int64), np.inf
    if chosen > 1:
        rng = np.random.default_rng(seed)
        for _ in range(n_init):
            centroids, labels = kmeans2(x, chosen, minit="++", seed=rng)
            cost = float(((x - centroids[labels]) ** 2).sum())
            if cost < best_cost:
                best, best_cost = labels, cost
    params = {"k": k, "k_max": k_max, "tau": tau, "weight": weight, "seed": seed, "n_init": n_init}
    out = clusters_from_membership(
        graph, best, method="spectral", parameters=params, member_label=member_label, min_size=min_size
    )
    out.attrs["k"] = int(chosen)
    out.attrs["eigenvalues"] = lam.tolist()
    return out


def fiedler_vector(
    graph: ig.Graph, *, weight: str | None = "weight", seed: int = 0, dense_max: int = DENSE_MAX
) -> tuple[float, np.ndarray]:
    """Return the algebraic connectivity and Fiedler vector of the normalised Laplacian.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected, connected graph with at least 2 vertices.
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of ARPACK's start vector.
    dense_max : int, default 2000
        Dense eigendecomposition at or below this many vertices.

    Returns
    -------
    value : float
        Second-smallest normalised Laplacian eigenvalue (0 iff disconnected).
    vector : ndarray of shape (n,)
        ``D^-1/2`` times its eigenvector (the random-walk form, whose sign
        pattern gives the normalised cut), scaled to unit norm.

    Raises
    ------
    crimnet.errors.ParameterError
        If the graph has fewer than 2 vertices.

    References
    ----------
    .. [1] Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak
       Mathematical Journal 23(2), 298-305. doi:10.21136/CMJ.1973.101168

    Examples
    --------
    >>> value, vec = fiedler_vector(ig.Graph([(0, 1), (1, 2), (2, 3)]))
    >>> bool(np.sign(vec[0]) != np.sign(vec[3]))
    True
    """
    func = "fiedler_vector"
    check_seeded_graph(graph, seed, func)
    check_interval(dense_max, param="dense_max", func=func, low=0, closed="left", integer=True)
    check_interval(graph.vcount(), param="graph (vertex count)", func=func, low=2, closed="left")
    a = adjacency(graph, weight=weight)
    m = normalised_adjacency(a)
    vals, vecs = top_eigenpairs(m, k=2, seed=seed, dense_max=dense_max)
    d = np.asarray(a.sum(axis=1)).ravel()
    inv = np.zeros_like(d)
    inv[d > 0] = 1.0 / np.sqrt(d[d > 0])
    v = vecs[:, 1] * inv
    v = v / (np.linalg.norm(v) or 1.0)
    if v[np.argmax(np.abs(v))] < 0:
        v = -v
    return float(max(0.0, 1.0 - vals[1])), v
