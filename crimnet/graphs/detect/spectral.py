"""Spectral methods: normalised-Laplacian embedding, eigengap clustering, Fiedler bisection.

All work on the sparse adjacency of :func:`crimnet.graphs.views.adjacency`.
Above `dense_max` vertices eigenvectors come from ARPACK (``scipy.sparse.linalg.eigsh``)
on the normalised adjacency ``D^-1/2 A D^-1/2``, never from a dense
eigendecomposition; below it a dense ``eigh`` is faster and exact.
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.cluster.vq import kmeans2

from crimnet.errors import check_interval, check_type
from crimnet.graphs.arrays import weighted_edge_arrays
from crimnet.graphs.detect.community import _check_common, _membership_of, _split_method, clusters_from_membership
from crimnet.graphs.views import adjacency

__all__ = [
    "normalised_adjacency",
    "spectral_embedding",
    "eigengap_k",
    "spectral_clusters",
    "fiedler_vector",
    "fiedler_bisection",
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


def _top_eigen(m: sp.csr_matrix, k: int, seed: int, dense_max: int) -> tuple[np.ndarray, np.ndarray]:
    """Largest `k` eigenpairs of symmetric `m`, eigenvalues in decreasing order."""
    n = m.shape[0]
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
    _check_common(graph, seed, func)
    n = graph.vcount()
    check_interval(k, param="k", func=func, low=1, high=max(n, 1), closed="both", integer=True)
    check_interval(tau, param="tau", func=func, low=0, closed="left")
    check_interval(dense_max, param="dense_max", func=func, low=1, closed="left", integer=True)
    m = normalised_adjacency(adjacency(graph, weight=weight), tau=tau)
    vals, vecs = _top_eigen(m, k, seed, dense_max)
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
    :func:`fiedler_bisection` for oversized communities.

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
    _check_common(graph, seed, func)
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
    _check_common(graph, seed, func)
    check_interval(dense_max, param="dense_max", func=func, low=0, closed="left", integer=True)
    check_interval(graph.vcount(), param="graph (vertex count)", func=func, low=2, closed="left")
    a = adjacency(graph, weight=weight)
    m = normalised_adjacency(a)
    vals, vecs = _top_eigen(m, 2, seed, dense_max)
    d = np.asarray(a.sum(axis=1)).ravel()
    inv = np.zeros_like(d)
    inv[d > 0] = 1.0 / np.sqrt(d[d > 0])
    v = vecs[:, 1] * inv
    v = v / (np.linalg.norm(v) or 1.0)
    if v[np.argmax(np.abs(v))] < 0:
        v = -v
    return float(max(0.0, 1.0 - vals[1])), v


def fiedler_bisection(
    graph: ig.Graph,
    *,
    clusters: pd.DataFrame | None = None,
    max_size: int = 50,
    weight: str | None = "weight",
    seed: int = 0,
    member_label: str | None = "Person",
    min_size: int = 1,
) -> pd.DataFrame:
    """Split oversized clusters recursively along the Fiedler vector.

    Each cluster (or, without `clusters`, each connected component) with more
    than `max_size` vertices is split: into its connected components when the
    induced subgraph is disconnected, otherwise by the sweep cut of lowest
    conductance along its Fiedler vector; pieces are split again until none
    exceeds `max_size`.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected graph.
    clusters : DataFrame, optional
        A ``clusters`` table whose ``members`` are ``node_id`` (or ``name``)
        values of `graph`; vertices in no cluster stay unassigned. Default: the
        connected components.
    max_size : int, default 50
        Largest cluster left unsplit (>= 2).
    weight : str or None, default 'weight'
        Edge attribute of strengths.
    seed : int, default 0
        Seed of ARPACK's start vector.
    member_label : str or None, default 'Person'
        Keep only vertices of this label as members.
    min_size : int, default 1
        Drop clusters with fewer members.

    Returns
    -------
    DataFrame
        The ``clusters`` table, method ``'<input method>+fiedler'`` (or
        ``'fiedler'``).

    Raises
    ------
    crimnet.errors.ParameterError
        If a parameter is out of range.

    Notes
    -----
    Pieces are split level by level: one connected-components pass finds the
    disconnected pieces of a level, each connected piece gets its Fiedler
    vector (a dense ``eigh`` of its two largest eigenpairs up to 400 vertices,
    ARPACK above, about O(m_piece) per Lanczos iteration), and the sweep cuts
    of all pieces of the level are one vectorised pass, O(m log n). A balanced
    recursion costs O(log(n / max_size)) levels. Very large communities are
    cheaper to split first with :func:`crimnet.graphs.detect.community.leiden_split`.

    References
    ----------
    .. [1] Fiedler, M. (1973). Algebraic connectivity of graphs. Czechoslovak
       Mathematical Journal 23(2), 298-305. doi:10.21136/CMJ.1973.101168
    .. [2] Shi, J. & Malik, J. (2000). Normalized cuts and image segmentation.
       IEEE TPAMI 22(8), 888-905. doi:10.1109/34.868688

    Examples
    --------
    >>> g = ig.Graph.Full(5) + ig.Graph.Full(5)
    >>> _ = g.add_edge(4, 5)
    >>> fiedler_bisection(g, max_size=6)["members"].tolist()
    [['0', '1', '2', '3', '4'], ['5', '6', '7', '8', '9']]
    """
    func = "fiedler_bisection"
    _check_common(graph, seed, func)
    check_interval(max_size, param="max_size", func=func, low=2, closed="left", integer=True)
    if clusters is not None:
        check_type(clusters, pd.DataFrame, param="clusters", func=func, expected="a clusters DataFrame")
    base = _split_method(clusters, "fiedler", "fiedler")
    memb = _membership_of(graph, clusters, member_label)
    memb = _split_recursive(graph, memb, max_size, weight, seed)
    params = {"max_size": max_size, "weight": weight, "seed": seed}
    return clusters_from_membership(
        graph, memb, method=base, parameters=params, member_label=member_label, min_size=min_size
    )


_BATCH_DENSE_MAX = 400
"""Largest piece whose Fiedler vector comes from a dense solver when splitting (ARPACK above)."""


def _relabel_components(
    memb: np.ndarray, nodes: np.ndarray, eu: np.ndarray, ev: np.ndarray, next_label: int
) -> tuple[np.ndarray, int]:
    """Give every connected component of a piece (edges `eu`-`ev` inside pieces) its own label.

    Returns the nodes of the pieces that were connected already, and the next free label.
    """
    import scipy.sparse.csgraph as csg

    local = np.full(len(memb), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    k = len(nodes)
    adj = sp.csr_matrix((np.ones(len(eu)), (local[eu], local[ev])), shape=(k, k))
    _, comp = csg.connected_components(adj, directed=False)
    piece = memb[nodes]
    key = piece * (int(comp.max(initial=0)) + 1) + comp  # one code per (piece, component)
    codes, uniq = pd.factorize(key, sort=False)
    uniq_piece = uniq // (int(comp.max(initial=0)) + 1)
    n_comp = np.bincount(pd.factorize(uniq_piece)[0])
    split = pd.unique(uniq_piece)[n_comp > 1]
    broken = np.isin(piece, split)
    if broken.any():
        memb[nodes[broken]] = next_label + codes[broken]
        next_label += int(codes.max()) + 1
    return nodes[~broken], next_label


def _batched_fiedler_sides(
    nodes: np.ndarray, piece: np.ndarray, eu: np.ndarray, ev: np.ndarray, ew: np.ndarray, n_total: int, seed: int
) -> np.ndarray:
    """Sweep-cut sides of many connected pieces at once.

    `nodes` are graph vertices grouped by `piece` (a dense piece index 0..P-1,
    non-decreasing), `eu`, `ev`, `ew` the edges inside pieces. Each piece's
    Fiedler vector comes from a dense ``eigh`` of its normalised adjacency
    (the two largest eigenpairs only), ARPACK above :data:`_BATCH_DENSE_MAX`
    vertices; the sweep cuts of all pieces are one vectorised pass. Returns a
    bool per node: on the lowest-conductance prefix side.
    """
    n_pieces = int(piece.max()) + 1 if len(piece) else 0
    counts = np.bincount(piece, minlength=n_pieces)
    start = np.r_[0, np.cumsum(counts)[:-1]]
    local_all = np.full(n_total, -1, dtype=np.int64)
    local_all[nodes] = np.arange(len(nodes)) - start[piece]
    pos_of = np.full(n_total, -1, dtype=np.int64)
    pos_of[nodes] = np.arange(len(nodes))
    pe = piece[pos_of[eu]]
    lu, lv = local_all[eu], local_all[ev]
    deg = np.bincount(pos_of[eu], weights=ew, minlength=len(nodes)) + np.bincount(
        pos_of[ev], weights=ew, minlength=len(nodes)
    )
    inv = np.zeros(len(nodes))
    inv[deg > 0] = 1.0 / np.sqrt(deg[deg > 0])
    vec = np.zeros(len(nodes))
    e_order = np.argsort(pe, kind="stable")
    e_start = np.searchsorted(pe[e_order], np.arange(n_pieces + 1))
    import scipy.linalg as la

    for p in range(n_pieces):
        n = int(counts[p])
        es = e_order[e_start[p] : e_start[p + 1]]
        val = ew[es] * inv[pos_of[eu[es]]] * inv[pos_of[ev[es]]]
        if n <= _BATCH_DENSE_MAX:
            m = np.zeros((n, n))
            m[lu[es], lv[es]] = val
            m[lv[es], lu[es]] = val
            _, vecs = la.eigh(m, subset_by_index=[n - 2, n - 1], check_finite=False)
            vec[start[p] : start[p] + n] = vecs[:, 0]
        else:
            m = sp.csr_matrix((val, (lu[es], lv[es])), shape=(n, n))
            _, vecs = _top_eigen((m + m.T).tocsr(), 2, seed, dense_max=0)
            vec[start[p] : start[p] + n] = vecs[:, 1]
    v = vec * inv
    # unit norm and sign per piece do not change the sweep (prefix and complement cut alike)
    order = np.lexsort((v, piece))
    rank = np.empty(len(nodes), dtype=np.int64)
    rank[order] = np.arange(len(nodes))
    ru, rv = rank[pos_of[eu]], rank[pos_of[ev]]
    lo, hi = np.minimum(ru, rv), np.maximum(ru, rv)
    diff = np.bincount(lo, weights=ew, minlength=len(nodes) + 1) - np.bincount(hi, weights=ew, minlength=len(nodes) + 1)
    cut = np.cumsum(diff)[: len(nodes)]  # cut between prefix [start..i] of a piece and the rest of it
    deg_sorted = deg[order]
    cum = np.cumsum(deg_sorted)
    before = np.r_[0.0, cum][start]
    vol = cum - before[piece[order]]
    total = (np.r_[0.0, cum][start + counts] - before)[piece[order]]
    denom = np.minimum(vol, total - vol)
    with np.errstate(divide="ignore", invalid="ignore"):
        cond = np.where(denom > 0, cut / np.where(denom > 0, denom, 1.0), np.inf)
    last = np.zeros(len(nodes), dtype=bool)
    last[start + counts - 1] = True
    cond[last] = np.inf  # a prefix must leave someone on the other side
    # smallest conductance per piece; first on ties (as argmin)
    idx = np.lexsort((np.arange(len(nodes)), cond, piece[order]))
    best = idx[start] - start
    side_sorted = (np.arange(len(nodes)) - start[piece[order]]) <= best[piece[order]]
    side = np.empty(len(nodes), dtype=bool)
    side[order] = side_sorted
    return side


def _split_recursive(graph: ig.Graph, memb: np.ndarray, max_size: int, weight: str | None, seed: int) -> np.ndarray:
    """Split every piece above `max_size`, level by level, all pieces of a level in batched calls."""
    return _split_pieces(graph.vcount(), weighted_edge_arrays(graph, weight), memb, max_size=max_size, seed=seed)


def _split_pieces(
    n: int, edges: tuple[np.ndarray, np.ndarray, np.ndarray], memb: np.ndarray, *, max_size: int, seed: int
) -> np.ndarray:
    """Fiedler-split every piece of `memb` above `max_size` (`edges` from ``_edge_arrays``)."""
    memb = np.asarray(memb, dtype=np.int64).copy()
    eu_all, ev_all, ew_all = edges
    next_label = int(memb.max(initial=-1)) + 1
    while True:
        valid = memb >= 0
        sizes = np.bincount(memb[valid], minlength=next_label)
        big = sizes > max_size
        active = np.zeros(n, dtype=bool)
        active[valid] = big[memb[valid]]
        if not active.any():
            return memb
        nodes = np.flatnonzero(active)
        inside = active[eu_all] & active[ev_all] & (memb[eu_all] == memb[ev_all])
        eu, ev, ew = eu_all[inside], ev_all[inside], ew_all[inside]
        connected, next_label = _relabel_components(memb, nodes, eu, ev, next_label)
        if len(connected) == 0:
            continue
        # pieces that were connected: one Fiedler sweep cut each
        keep = np.zeros(n, dtype=bool)
        keep[connected] = True
        inside = keep[eu] & keep[ev]
        eu, ev, ew = eu[inside], ev[inside], ew[inside]
        order = connected[np.argsort(memb[connected], kind="stable")]
        piece_codes, piece_labels = pd.factorize(memb[order], sort=False)
        side = _batched_fiedler_sides(order, piece_codes, eu, ev, ew, n, seed)
        # the prefix side of each piece gets a new label
        moved = order[side]
        codes_moved = piece_codes[side]
        memb[moved] = next_label + codes_moved
        next_label += len(piece_labels)
