"""A heterogeneous GraphSAGE link scorer for the person-thing links of a case.

:class:`HeteroLinkSAGE` encodes every node of a :class:`~crimnet.gnn.case_graph.CaseGraph` (each type projected
from its label-free features, then GraphSAGE per relationship type, reverse types included) and scores a
person-thing pair by the dot product of the two embeddings. :func:`hetero_sage_link_scores` trains it on the
visible links of one type: each step a random 30% of them supervise (removed from the message-passing graph,
so the model learns to find links it cannot see) against as many random pairs of the same labels.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, SAGEConv

from crimnet.errors import check_interval, check_type
from crimnet.gnn.case_graph import CaseGraph
from crimnet.gnn.data import REVERSE_PREFIX
from crimnet.schema import NODE_LABELS, REL_TYPES

__all__ = ["HeteroLinkSAGE", "hetero_sage_link_scores", "degree_features"]

EdgeType = tuple[str, str, str]
SUPERVISED_SHARE = 0.3
"""Share of a type's visible links that supervise each training step (hidden from its message passing)."""


def degree_features(g: CaseGraph, links: dict[str, np.ndarray]) -> np.ndarray:
    """Label-free node features: log(1 + number of links) of each relationship type.

    Parameters
    ----------
    g : CaseGraph
        The case (node count).
    links : dict of str to ndarray
        Links per type ``(k, 2)``, global indices, one entry per type of :data:`crimnet.schema.REL_TYPES`.

    Returns
    -------
    ndarray
        ``(g.n, len(links))`` float32. O(n x types + m).
    """
    check_type(g, CaseGraph, param="g", func="degree_features", expected="a CaseGraph")
    cols = [np.bincount(v.ravel(), minlength=g.n) for v in links.values()]
    return np.log1p(np.stack(cols, 1)).astype(np.float32)


def _edge_dict(g: CaseGraph, links: dict[str, np.ndarray]) -> dict[EdgeType, Tensor]:
    """Per edge type (reverse types included), its edges as local row indices ``(2, k)``."""
    out = {}
    for rel, spec in REL_TYPES.items():
        pairs = links[rel]
        if not len(pairs):
            continue
        e = torch.as_tensor((pairs - [g.offsets[spec.src], g.offsets[spec.dst]]).T.copy(), dtype=torch.long)
        out[(spec.src, rel, spec.dst)] = e
        out[(spec.dst, REVERSE_PREFIX + rel, spec.src)] = e.flip(0)
    return out


class HeteroLinkSAGE(nn.Module):
    r"""Heterogeneous GraphSAGE encoder with a dot-product decoder, for links between two node types.

    .. math::
        h_v^{(l+1)} = \mathrm{ReLU}\Big(\sum_{r} \mathrm{SAGE}_r\big(h_v^{(l)}, \{h_u^{(l)} : u \in N_r(v)\}\big)\Big),
        \quad s(u, v) = \langle h_u^{(L)}, h_v^{(L)} \rangle

    Parameters
    ----------
    in_dim : int
        Feature count (the same for every node type).
    edge_types : list of (str, str, str)
        Edge types to pass messages along.
    hidden : int, default 32
        Width of every layer.
    num_layers : int, default 2
        Message-passing layers.

    Shapes
    ------
    - **input:** features per type :math:`(|V_t|, F)`, edge index per type :math:`(2, |E_r|)`, pairs
      :math:`(2, P)` of local rows of the two types
    - **output:** pair logits :math:`(P,)`

    Paper: W. L. Hamilton, R. Ying, J. Leskovec, "Inductive Representation Learning on Large Graphs", NeurIPS
    2017; per-relation convolutions summed as in M. Schlichtkrull et al., "Modeling Relational Data with Graph
    Convolutional Networks", ESWC 2018.
    """

    def __init__(self, in_dim: int, edge_types: list[EdgeType], hidden: int = 32, num_layers: int = 2) -> None:
        check_interval(in_dim, param="in_dim", func="HeteroLinkSAGE", low=1, closed="left", integer=True)
        super().__init__()
        self.proj = nn.ModuleDict({t: nn.Linear(in_dim, hidden) for t in NODE_LABELS})
        self.convs = nn.ModuleList(
            HeteroConv({et: SAGEConv((hidden, hidden), hidden) for et in edge_types}, aggr="sum")
            for _ in range(num_layers)
        )

    def encode(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor]) -> dict[str, Tensor]:
        """Return the embeddings of every node type ``(|V_t|, hidden)``."""
        h = {t: torch.relu(self.proj[t](v)) for t, v in x.items()}
        for i, conv in enumerate(self.convs):
            new = conv(h, edges)  # edge types without edges are skipped; types receiving nothing keep theirs
            new = {t: new.get(t, h[t]) for t in h}
            h = {t: torch.relu(v) for t, v in new.items()} if i < len(self.convs) - 1 else new
        return h

    def forward(self, x: dict[str, Tensor], edges: dict[EdgeType, Tensor], src: str, dst: str, pairs: Tensor) -> Tensor:
        """Return the logit of each pair ``(P,)`` of local rows (`src` rows, `dst` rows)."""
        h = self.encode(x, edges)
        return (h[src][pairs[0]] * h[dst][pairs[1]]).sum(-1)


def hetero_sage_link_scores(
    g: CaseGraph,
    visible: dict[str, np.ndarray],
    rel: str,
    pairs: np.ndarray,
    *,
    epochs: int = 100,
    hidden: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """Train :class:`HeteroLinkSAGE` on the visible links of `rel` and score `pairs` of that type.

    Parameters
    ----------
    g : CaseGraph
        The case (node indexing).
    visible : dict of str to ndarray
        Visible links per type ``(k, 2)`` (global indices): the message-passing graph and the positives.
    rel : str
        The type whose links are predicted.
    pairs : ndarray
        (p, 2) candidate pairs of `rel`, global indices.
    epochs : int, default 100
        Full-batch Adam steps (>= 1).
    hidden : int, default 32
        Width.
    seed : int, default 0
        Seed (>= 0).

    Returns
    -------
    ndarray
        (p,) link probabilities.

    Notes
    -----
    Features are each node's degree per relationship type, computed on the message-passing graph of each step
    (so a supervising link's ends look as a hidden link's do). Each step costs one pass over the whole graph:
    O(epochs x layers x (n + m) x hidden).
    """
    check_type(g, CaseGraph, param="g", func="hetero_sage_link_scores", expected="a CaseGraph")
    check_interval(epochs, param="epochs", func="hetero_sage_link_scores", low=1, closed="left", integer=True)
    check_interval(seed, param="seed", func="hetero_sage_link_scores", low=0, closed="left", integer=True)
    spec = REL_TYPES[rel]
    lo = np.array([g.offsets[spec.src], g.offsets[spec.dst]])
    sizes = {t: len(g.ids[t]) for t in NODE_LABELS}
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)

    def inputs(links: dict[str, np.ndarray]) -> tuple[dict[str, Tensor], dict[EdgeType, Tensor]]:
        f = torch.as_tensor(degree_features(g, links))
        return {t: f[g.offsets[t] : g.offsets[t] + sizes[t]] for t in NODE_LABELS}, _edge_dict(g, links)

    types = [(s.src, r, s.dst) for r, s in REL_TYPES.items()] + [
        (s.dst, REVERSE_PREFIX + r, s.src) for r, s in REL_TYPES.items()
    ]
    model = HeteroLinkSAGE(len(REL_TYPES), types, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.BCEWithLogitsLoss()
    pos_all = visible[rel]
    for _ in range(epochs):
        sup = rng.random(len(pos_all)) < SUPERVISED_SHARE
        links = dict(visible)
        links[rel] = pos_all[~sup]
        x, edges = inputs(links)
        pos = pos_all[sup] - lo
        neg = np.c_[rng.integers(0, sizes[spec.src], len(pos)), rng.integers(0, sizes[spec.dst], len(pos))]
        batch = torch.as_tensor(np.r_[pos, neg].T.copy(), dtype=torch.long)
        target = torch.cat([torch.ones(len(pos)), torch.zeros(len(neg))])
        model.train()
        loss = loss_fn(model(x, edges, spec.src, spec.dst, batch), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    x, edges = inputs(visible)
    with torch.no_grad():
        logits = model(x, edges, spec.src, spec.dst, torch.as_tensor((pairs - lo).T.copy(), dtype=torch.long))
    return torch.sigmoid(logits).numpy()
