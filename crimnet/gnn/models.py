"""Heterogeneous graph neural networks that classify the roles of people.

Two encoders over the same input: :class:`HeteroSAGE` (GraphSAGE per relation,
summed across relations with :class:`~torch_geometric.nn.HeteroConv`) and
:class:`HeteroHGT` (the Heterogeneous Graph Transformer). Both project each
node type's raw features to a common width, run ``num_layers`` message-passing
layers, and end in a linear head over the people, giving one logit per role of
:data:`crimnet.schema.ROLES`. Both accept a graph with node or edge types they
were not built with (types added to the schema later) and ignore them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn
from torch_geometric.nn import HeteroConv, HGTConv, SAGEConv

from crimnet.errors import check_choice, check_interval, check_type

__all__ = ["HeteroSAGE", "HeteroHGT", "MODELS", "build_model"]

EdgeType = tuple[str, str, str]


def _check(in_dims: Mapping[str, int], edge_types: Sequence[EdgeType], hidden: int, layers: int, func: str) -> None:
    check_type(in_dims, Mapping, param="in_dims", func=func, expected="a mapping of node type to feature count")
    check_type(edge_types, (list, tuple), param="edge_types", func=func, expected="a list of (src, rel, dst) triples")
    check_interval(hidden, param="hidden", func=func, low=1, closed="left", integer=True)
    check_interval(layers, param="num_layers", func=func, low=1, high=6, closed="both", integer=True)


class _Encoder(nn.Module):
    """What both models share: input projections, the head, and the filtering of unknown types."""

    def __init__(self, in_dims: Mapping[str, int], edge_types: Sequence[EdgeType], hidden: int, out: int, target: str):
        super().__init__()
        self.node_types = sorted(in_dims)
        self.edge_types = [tuple(e) for e in edge_types if e[0] in in_dims and e[2] in in_dims]
        self.target = target
        self.proj = nn.ModuleDict({t: nn.Linear(max(int(in_dims[t]), 1), hidden) for t in self.node_types})
        self.head = nn.Linear(hidden, out)

    def inputs(
        self, x_dict: Mapping[str, Tensor], edge_index_dict: Mapping[EdgeType, Tensor]
    ) -> tuple[dict[str, Tensor], dict[EdgeType, Tensor]]:
        h = {}
        for t in self.node_types:
            x = x_dict[t]
            if x.shape[1] == 0:
                x = torch.zeros(x.shape[0], 1, dtype=x.dtype, device=x.device)
            h[t] = torch.relu(self.proj[t](x))
        known = set(self.edge_types)
        edges = {tuple(k): v for k, v in edge_index_dict.items() if tuple(k) in known}
        return h, edges  # type: ignore[return-value]


class HeteroSAGE(_Encoder):
    r"""Heterogeneous GraphSAGE: one mean-aggregating SAGE convolution per relation, summed per node type.

    For node :math:`v` of type :math:`t` at layer :math:`l`,

    .. math::
        h_v^{(l+1)} = \mathrm{ReLU}\Big(\sum_{r=(s, \cdot, t)} W_{1,r} h_v^{(l)}
        + W_{2,r} \operatorname{mean}_{u \in N_r(v)} h_u^{(l)}\Big),

    with input projections :math:`h_v^{(0)} = \mathrm{ReLU}(P_t x_v)` per node type and a linear head
    over the target type.

    Parameters
    ----------
    in_dims : mapping of str to int
        Feature count of each node type.
    edge_types : sequence of (str, str, str)
        Edge types (reverse types included) the model passes messages along.
    hidden : int, default 64
        Width of every hidden layer (>= 1).
    out : int, default 5
        Number of classes.
    num_layers : int, default 2
        Message-passing layers, in [1, 6].
    dropout : float, default 0.2
        Dropout after each layer.
    target : str, default 'Person'
        The node type classified.

    Shapes
    ------
    - **input:** node features :math:`\{t: (|V_t|, F_t)\}`, edge indices :math:`\{r: (2, |E_r|)\}`
    - **output:** logits :math:`(|V_{target}|, out)`

    Paper: W. L. Hamilton, R. Ying, J. Leskovec, "Inductive Representation Learning on Large Graphs",
    NeurIPS 2017; heterogeneous by relation as in M. Schlichtkrull et al., "Modeling Relational Data with
    Graph Convolutional Networks", ESWC 2018.
    """

    def __init__(
        self,
        in_dims: Mapping[str, int],
        edge_types: Sequence[EdgeType],
        *,
        hidden: int = 64,
        out: int = 5,
        num_layers: int = 2,
        dropout: float = 0.2,
        target: str = "Person",
    ) -> None:
        _check(in_dims, edge_types, hidden, num_layers, "HeteroSAGE")
        super().__init__(in_dims, edge_types, hidden, out, target)
        self.dropout = float(dropout)
        self.convs = nn.ModuleList(
            HeteroConv({e: SAGEConv((hidden, hidden), hidden, aggr="mean") for e in self.edge_types}, aggr="sum")
            for _ in range(num_layers)
        )

    def embed(self, x_dict: Mapping[str, Tensor], edge_index_dict: Mapping[EdgeType, Tensor]) -> Tensor:
        """Return the last hidden layer of the target nodes, shape ``(|V_target|, hidden)``."""
        h, edges = self.inputs(x_dict, edge_index_dict)
        for conv in self.convs:
            new = conv(h, edges)
            h = {
                t: nn.functional.dropout(torch.relu(new[t]), self.dropout, self.training) if t in new else h[t]
                for t in h
            }
        return h[self.target]

    def forward(self, x_dict: Mapping[str, Tensor], edge_index_dict: Mapping[EdgeType, Tensor]) -> Tensor:
        """Return the logits of the target nodes, shape ``(|V_target|, out)``."""
        return self.head(self.embed(x_dict, edge_index_dict))


class HeteroHGT(_Encoder):
    r"""Heterogeneous Graph Transformer: type-specific attention over every relation.

    Each layer computes, for target node :math:`v` and source :math:`u` over relation :math:`r`, multi-head
    attention with keys, queries and values projected by the node types of :math:`u` and :math:`v` and a
    relation-specific matrix :math:`W_r^{ATT}`, then a type-specific output projection with a gated
    residual (see the paper).

    Parameters
    ----------
    in_dims : mapping of str to int
        Feature count of each node type.
    edge_types : sequence of (str, str, str)
        Edge types (reverse types included).
    hidden : int, default 64
        Width of every hidden layer (>= 1, divisible by `heads`).
    out : int, default 5
        Number of classes.
    num_layers : int, default 2
        Layers, in [1, 6].
    heads : int, default 2
        Attention heads.
    target : str, default 'Person'
        The node type classified.

    Shapes
    ------
    - **input:** node features :math:`\{t: (|V_t|, F_t)\}`, edge indices :math:`\{r: (2, |E_r|)\}`
    - **output:** logits :math:`(|V_{target}|, out)`

    Paper: Z. Hu, Y. Dong, K. Wang, Y. Sun, "Heterogeneous Graph Transformer", WWW 2020.
    """

    def __init__(
        self,
        in_dims: Mapping[str, int],
        edge_types: Sequence[EdgeType],
        *,
        hidden: int = 64,
        out: int = 5,
        num_layers: int = 2,
        heads: int = 2,
        dropout: float = 0.2,
        target: str = "Person",
    ) -> None:
        _check(in_dims, edge_types, hidden, num_layers, "HeteroHGT")
        super().__init__(in_dims, edge_types, hidden, out, target)
        self.dropout = float(dropout)
        metadata = (self.node_types, self.edge_types)
        self.convs = nn.ModuleList(HGTConv(hidden, hidden, metadata, heads=heads) for _ in range(num_layers))

    def embed(self, x_dict: Mapping[str, Tensor], edge_index_dict: Mapping[EdgeType, Tensor]) -> Tensor:
        """Return the last hidden layer of the target nodes, shape ``(|V_target|, hidden)``."""
        h, edges = self.inputs(x_dict, edge_index_dict)
        for conv in self.convs:
            new = conv(h, edges)
            h = {
                t: nn.functional.dropout(new[t], self.dropout, self.training) if new.get(t) is not None else h[t]
                for t in h
            }
        return h[self.target]

    def forward(self, x_dict: Mapping[str, Tensor], edge_index_dict: Mapping[EdgeType, Tensor]) -> Tensor:
        """Return the logits of the target nodes, shape ``(|V_target|, out)``."""
        return self.head(self.embed(x_dict, edge_index_dict))


MODELS = {"sage": HeteroSAGE, "hgt": HeteroHGT}
"""Model names accepted by :func:`build_model` and :func:`crimnet.gnn.train.train`."""


def build_model(
    in_dims: Mapping[str, int],
    edge_types: Sequence[EdgeType],
    *,
    name: str = "sage",
    hidden: int = 64,
    num_layers: int = 2,
) -> nn.Module:
    """Return a new model of :data:`MODELS` for the given feature counts and edge types.

    Parameters
    ----------
    in_dims : mapping of str to int
        Feature count of each node type.
    edge_types : sequence of (str, str, str)
        Edge types.
    name : {'sage', 'hgt'}, default 'sage'
        The architecture.
    hidden : int, default 64
        Hidden width (>= 1).
    num_layers : int, default 2
        Layers, in [1, 6].

    Returns
    -------
    torch.nn.Module
        :class:`HeteroSAGE` or :class:`HeteroHGT`, classifying :data:`crimnet.schema.ROLES`.

    Raises
    ------
    crimnet.errors.ParameterError
        If `name` is unknown or a size is out of range.

    Examples
    --------
    >>> et = [("Person", "USES_PHONE", "Phone"), ("Phone", "rev_USES_PHONE", "Person")]
    >>> m = build_model({"Person": 3, "Phone": 1}, et, name="sage", hidden=8)
    >>> type(m).__name__
    'HeteroSAGE'
    """
    check_type(
        in_dims, Mapping, param="in_dims", func="build_model", expected="a mapping of node type to feature count"
    )
    check_choice(name, MODELS, param="name", func="build_model")
    return MODELS[name](in_dims, edge_types, hidden=hidden, num_layers=num_layers)
