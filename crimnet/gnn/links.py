"""Hidden links: hide a share of a network's edges and predict them back.

:func:`hide_edges` splits the edges of an undirected graph into the edges kept
and a held-out share, and draws as many node pairs that are not linked as
negatives. :func:`adamic_adar_scores` and :func:`katz_scores` are the classic
neighbourhood and path-count baselines; :func:`gnn_link_scores` trains a
GraphSAGE encoder with a dot-product decoder on the kept edges (negative
sampling), from structural node features only (degree, core number, clustering,
PageRank), so it transfers to networks without attributes.
:func:`link_prediction` runs all three and reports AUC and average precision.
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd
import scipy.sparse as sp
import torch
from scipy.sparse.linalg import eigsh
from sklearn.metrics import average_precision_score, roc_auc_score
from torch import nn
from torch_geometric.nn import SAGEConv
from torch_geometric.utils import negative_sampling

from crimnet.errors import ParameterError, check_interval, check_type
from crimnet.graphs.arrays import edge_arrays

__all__ = [
    "hide_edges",
    "adjacency",
    "adamic_adar_weights",
    "adamic_adar_scores",
    "katz_scores",
    "gnn_link_scores",
    "link_prediction",
    "LinkSAGE",
]


def hide_edges(graph: ig.Graph, *, share: float = 0.1, seed: int = 0) -> dict[str, np.ndarray]:
    """Hide a share of an undirected graph's edges and draw as many unlinked pairs.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected; multi-edges and loops are ignored.
    share : float, default 0.1
        Share of the edges hidden, in (0, 1).
    seed : int, default 0
        Seed (>= 0).

    Returns
    -------
    dict of str to ndarray
        ``kept`` (k, 2), ``hidden`` (h, 2) and ``negative`` (h, 2): vertex index pairs (u < v), negatives
        drawn uniformly among pairs linked in the full graph by no edge.

    Raises
    ------
    crimnet.errors.ParameterError
        If `graph` is not an igraph graph, `share` is out of range or the graph has fewer than 2 edges.

    Examples
    --------
    >>> s = hide_edges(ig.Graph.Ring(20), share=0.1, seed=0)
    >>> len(s["kept"]), len(s["hidden"]), len(s["negative"])
    (18, 2, 2)
    """
    check_type(graph, ig.Graph, param="graph", func="hide_edges", expected="an igraph Graph")
    check_interval(share, param="share", func="hide_edges", low=0, high=1, closed="neither")
    check_interval(seed, param="seed", func="hide_edges", low=0, closed="left", integer=True)
    u, v = edge_arrays(graph)
    pairs = np.unique(np.sort(np.c_[u, v], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    if len(pairs) < 2:
        raise ParameterError(
            f"The 'graph' parameter of hide_edges must have 2 edges or more. Got {len(pairs)} instead."
        )
    rng = np.random.default_rng(seed)
    n_hide = max(1, int(round(share * len(pairs))))
    perm = rng.permutation(len(pairs))
    hidden, kept = pairs[perm[:n_hide]], pairs[perm[n_hide:]]
    n = graph.vcount()
    linked = set((pairs[:, 0] * n + pairs[:, 1]).tolist())
    neg: dict[int, None] = {}
    if n * (n - 1) // 2 - len(linked) < n_hide:
        raise ParameterError(
            f"The 'graph' parameter of hide_edges must have unlinked pairs to draw. Got {graph.summary()!r} instead."
        )
    while len(neg) < n_hide:  # rejection sampling: a few draws of 4 n_hide pairs each
        a, b = rng.integers(0, n, size=(2, 4 * n_hide))
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        for c in (lo * n + hi)[lo != hi].tolist():
            if c not in linked and c not in neg and len(neg) < n_hide:
                neg[c] = None
    codes = np.fromiter(neg, dtype=np.int64, count=len(neg))
    negative = np.c_[codes // n, codes % n]
    return {"kept": kept, "hidden": hidden, "negative": negative}


def adjacency(n: int, kept: np.ndarray) -> sp.csr_matrix:
    """Return the symmetric 0/1 adjacency ``(n, n)`` of the undirected edges `kept` ``(k, 2)`` (duplicates merged).

    Examples
    --------
    >>> adjacency(3, np.array([[0, 1], [1, 0], [1, 2]])).toarray().astype(int).tolist()
    [[0, 1, 0], [1, 0, 1], [0, 1, 0]]
    """
    check_interval(n, param="n", func="adjacency", low=1, closed="left", integer=True)
    check_type(kept, np.ndarray, param="kept", func="adjacency", expected="a (k, 2) numpy array of edges")
    a = sp.coo_matrix((np.ones(len(kept)), (kept[:, 0], kept[:, 1])), shape=(n, n))
    return sp.csr_matrix(((a + a.T) > 0).astype(float))


def adamic_adar_weights(a: sp.csr_matrix) -> np.ndarray:
    """Per vertex of the adjacency `a`, the Adamic-Adar weight ``1 / log(degree)`` (0 for degree 0 or 1).

    >>> adamic_adar_weights(adjacency(3, np.array([[0, 1], [1, 2]]))).round(4).tolist()
    [0.0, 1.4427, 0.0]
    """
    check_type(a, sp.csr_matrix, param="a", func="adamic_adar_weights", expected="a scipy CSR adjacency matrix")
    deg = np.asarray(a.sum(1)).ravel()
    return np.where(deg > 1, 1.0 / np.log(np.maximum(deg, 2)), 0.0)


def adamic_adar_scores(n: int, kept: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Adamic-Adar index of node pairs on the graph of the kept edges: sum over common neighbours of 1/log(degree).

    Parameters
    ----------
    n : int
        Number of vertices (>= 1).
    kept : ndarray
        (k, 2) kept edges.
    pairs : ndarray
        (p, 2) pairs to score.

    Returns
    -------
    ndarray
        (p,) float64 scores.

    Notes
    -----
    One sparse product restricted to the pairs: O(p x mean degree). Paper: L. A. Adamic, E. Adar,
    "Friends and neighbors on the Web", Social Networks 25 (2003).

    Examples
    --------
    >>> round(float(adamic_adar_scores(3, np.array([[0, 1], [1, 2]]), np.array([[0, 2]]))[0]), 4)
    1.4427
    """
    check_interval(n, param="n", func="adamic_adar_scores", low=1, closed="left", integer=True)
    a = adjacency(n, kept)
    aw = a @ sp.diags(adamic_adar_weights(a))
    return np.asarray(aw[pairs[:, 0]].multiply(a[pairs[:, 1]]).sum(1)).ravel()


def katz_scores(
    n: int, kept: np.ndarray, pairs: np.ndarray, *, beta: float | None = None, length: int = 5
) -> np.ndarray:
    """Truncated Katz index of node pairs: sum over walk lengths l <= `length` of beta^l (number of walks).

    Parameters
    ----------
    n : int
        Number of vertices (>= 1).
    kept : ndarray
        (k, 2) kept edges.
    pairs : ndarray
        (p, 2) pairs to score.
    beta : float, optional
        Attenuation (> 0); default half the inverse of the largest eigenvalue of the adjacency (the series
        converges below the inverse).
    length : int, default 5
        Longest walk counted (>= 1).

    Returns
    -------
    ndarray
        (p,) float64 scores.

    Notes
    -----
    `length` sparse products of the adjacency with the pairs' source indicator columns: O(length x m x p / n)
    on average. Paper: L. Katz, "A new status index derived from sociometric analysis", Psychometrika 18 (1953).

    Examples
    --------
    >>> s = katz_scores(4, np.array([[0, 1], [1, 2], [2, 3]]), np.array([[0, 2], [0, 3]]), beta=0.5)
    >>> bool(s[0] > s[1])
    True
    """
    check_interval(n, param="n", func="katz_scores", low=1, closed="left", integer=True)
    check_interval(length, param="length", func="katz_scores", low=1, closed="left", integer=True)
    a = adjacency(n, kept)
    if beta is None:
        lam = float(eigsh(a, k=1, which="LA", return_eigenvectors=False)[0]) if n > 2 and a.nnz else 1.0
        beta = 0.5 / max(lam, 1e-9)
    check_interval(beta, param="beta", func="katz_scores", low=0, closed="neither")
    src, inv = np.unique(pairs[:, 0], return_inverse=True)
    walk = sp.csr_matrix((np.ones(len(src)), (src, np.arange(len(src)))), shape=(n, len(src)))
    total = np.zeros((n, len(src)))
    for step in range(1, length + 1):
        walk = a @ walk
        total += (beta**step) * walk.toarray()
    return total[pairs[:, 1], inv]


def _structural_features(n: int, kept: np.ndarray) -> np.ndarray:
    g = ig.Graph(n=n, edges=kept.tolist())
    deg = np.asarray(g.degree(), dtype=float)
    core = np.asarray(g.coreness(), dtype=float)
    clus = np.nan_to_num(np.asarray(g.transitivity_local_undirected(mode="zero"), dtype=float))
    pr = np.asarray(g.pagerank(), dtype=float) * n
    return np.c_[np.log1p(deg), np.log1p(core), clus, np.log1p(pr)].astype(np.float32)


class LinkSAGE(nn.Module):
    r"""A GraphSAGE encoder with a dot-product decoder for link prediction.

    Parameters
    ----------
    in_dim : int
        Node feature count.
    hidden : int, default 32
        Width of the hidden layers.
    num_layers : int, default 2
        Layers.

    Shapes
    ------
    - **input:** node features :math:`(|V|, F)`, edge index :math:`(2, |E|)`, pairs :math:`(2, P)`
    - **output:** pair logits :math:`(P,)`

    Paper: W. L. Hamilton, R. Ying, J. Leskovec, "Inductive Representation Learning on Large Graphs",
    NeurIPS 2017; link prediction by inner product as in T. N. Kipf, M. Welling, "Variational Graph
    Auto-Encoders", NeurIPS workshop 2016.
    """

    def __init__(self, in_dim: int, hidden: int = 32, num_layers: int = 2) -> None:
        check_interval(in_dim, param="in_dim", func="LinkSAGE", low=1, closed="left", integer=True)
        super().__init__()
        dims = [in_dim] + [hidden] * num_layers
        self.convs = nn.ModuleList(SAGEConv(a, b) for a, b in zip(dims[:-1], dims[1:], strict=True))

    def encode(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        """Return node embeddings ``(|V|, hidden)``."""
        for i, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if i < len(self.convs) - 1:
                x = torch.relu(x)
        return x

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
        """Return the logit of each pair ``(P,)``."""
        h = self.encode(x, edge_index)
        return (h[pairs[0]] * h[pairs[1]]).sum(-1)


def gnn_link_scores(
    n: int, kept: np.ndarray, pairs: np.ndarray, *, epochs: int = 200, hidden: int = 32, seed: int = 0
) -> np.ndarray:
    """Train :class:`LinkSAGE` on the kept edges (one negative per positive each epoch) and score pairs.

    Parameters
    ----------
    n : int
        Number of vertices (>= 1).
    kept : ndarray
        (k, 2) kept edges (the positives and the message-passing graph).
    pairs : ndarray
        (p, 2) pairs to score.
    epochs : int, default 200
        Full-batch Adam steps (>= 1).
    hidden : int, default 32
        Hidden width.
    seed : int, default 0
        Seed (>= 0).

    Returns
    -------
    ndarray
        (p,) link probabilities.
    """
    check_interval(n, param="n", func="gnn_link_scores", low=1, closed="left", integer=True)
    check_interval(epochs, param="epochs", func="gnn_link_scores", low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func="gnn_link_scores", low=0, closed="left", integer=True)
    torch.manual_seed(seed)
    x = torch.as_tensor(_structural_features(n, kept))
    e = torch.as_tensor(kept.T, dtype=torch.long)
    ei = torch.cat([e, e.flip(0)], 1)
    model = LinkSAGE(x.shape[1], hidden)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(epochs):
        model.train()
        neg = negative_sampling(ei, num_nodes=n, num_neg_samples=e.shape[1])
        logits = model(x, ei, torch.cat([e, neg], 1))
        target = torch.cat([torch.ones(e.shape[1]), torch.zeros(neg.shape[1])])
        loss = loss_fn(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        return torch.sigmoid(model(x, ei, torch.as_tensor(pairs.T, dtype=torch.long))).numpy()


def link_prediction(graph: ig.Graph, *, share: float = 0.1, seed: int = 0, epochs: int = 200) -> pd.DataFrame:
    """Hide `share` of the edges and measure how well each method finds them among as many unlinked pairs.

    Parameters
    ----------
    graph : igraph.Graph
        Undirected network.
    share : float, default 0.1
        Share of edges hidden, in (0, 1).
    seed : int, default 0
        Seed of the split and the GNN (>= 0).
    epochs : int, default 200
        GNN training steps (>= 1).

    Returns
    -------
    DataFrame
        One row per method (``adamic_adar``, ``katz``, ``gnn_sage``): ``method``, ``auc``, ``ap``,
        ``hidden`` (number of hidden edges).

    Raises
    ------
    crimnet.errors.ParameterError
        As :func:`hide_edges`.

    Examples
    --------
    >>> r = link_prediction(ig.Graph.Lattice([6, 6], circular=False), seed=1, epochs=20)
    >>> r["method"].tolist()
    ['adamic_adar', 'katz', 'gnn_sage']
    """
    s = hide_edges(graph, share=share, seed=seed)
    n = graph.vcount()
    pairs = np.r_[s["hidden"], s["negative"]]
    y = np.r_[np.ones(len(s["hidden"])), np.zeros(len(s["negative"]))]
    rows = []
    for name, scores in (
        ("adamic_adar", adamic_adar_scores(n, s["kept"], pairs)),
        ("katz", katz_scores(n, s["kept"], pairs)),
        ("gnn_sage", gnn_link_scores(n, s["kept"], pairs, epochs=epochs, seed=seed)),
    ):
        rows.append({"method": name, "auc": float(roc_auc_score(y, scores)),
                     "ap": float(average_precision_score(y, scores)), "hidden": int(len(s["hidden"]))})  # fmt: skip
    return pd.DataFrame(rows)
