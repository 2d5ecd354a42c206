"""Mini-batch neighbour sampling (``NeighborLoader``) that also runs without pyg-lib or torch-sparse.

PyG's :class:`~torch_geometric.loader.NeighborLoader` samples with the compiled
``pyg-lib`` or ``torch-sparse`` extensions, which have no wheels for every
torch build (none for the CPU torch this project pins). :class:`TorchNeighborSampler`
is a :class:`~torch_geometric.sampler.NeighborSampler` whose heterogeneous
sampling step falls back to plain vectorised torch (uniform sampling without
replacement, hop by hop, as in GraphSAGE) when neither extension is present;
:func:`neighbor_loader` builds a ``NeighborLoader`` on it, so training and
scoring use the same loader either way.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
import torch_geometric.typing as pyg_typing
from torch import Tensor
from torch.utils.data import RandomSampler
from torch_geometric.data import HeteroData
from torch_geometric.loader import NeighborLoader
from torch_geometric.sampler import HeteroSamplerOutput, NeighborSampler

from crimnet.errors import check_interval, check_type

__all__ = ["TorchNeighborSampler", "neighbor_loader"]


def _append_unique(nodes: Tensor, cand: Tensor) -> tuple[Tensor, Tensor]:
    """Append the new values of `cand` to `nodes` in first-seen order; return the nodes and `cand`'s positions."""
    both = torch.cat([nodes, cand])
    uniq, inv = torch.unique(both, return_inverse=True)
    first = torch.full((len(uniq),), len(both), dtype=torch.long)
    first.scatter_reduce_(0, inv, torch.arange(len(both)), reduce="amin")
    order = torch.argsort(first)
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order))
    return uniq[order], rank[inv[len(nodes) :]]


def _sample_csc(
    colptr: Tensor, row: Tensor, dst: Tensor, k: int, gen: torch.Generator
) -> tuple[Tensor, Tensor, Tensor]:
    """Pick up to `k` in-neighbours (all when k < 0) of each node of `dst`; return (dst position, src, edge id)."""
    start, end = colptr[dst], colptr[dst + 1]
    deg = end - start
    total = int(deg.sum())
    if total == 0:
        empty = torch.zeros(0, dtype=torch.long)
        return empty, empty, empty
    seg = torch.repeat_interleave(torch.arange(len(dst)), deg)
    offset = torch.cumsum(deg, 0) - deg
    eid = start[seg] + torch.arange(total) - offset[seg]
    if k >= 0:
        key = torch.rand(total, generator=gen)
        order = torch.argsort(key)
        order = order[torch.argsort(seg[order], stable=True)]
        rank = torch.arange(total) - offset[seg[order]]
        keep = order[rank < k]
        keep = keep.sort().values
        seg, eid = seg[keep], eid[keep]
    return seg, row[eid], eid


class TorchNeighborSampler(NeighborSampler):
    """A ``NeighborSampler`` that samples heterogeneous graphs in plain torch when pyg-lib and torch-sparse are absent.

    Parameters
    ----------
    data : HeteroData
        The graph.
    num_neighbors : list of int
        Neighbours sampled per node, edge type and hop (-1: all), as for PyG's ``NeighborSampler``.
    seed : int, default 0
        Seed of the sampler's own random generator.
    **kwargs
        Passed to :class:`torch_geometric.sampler.NeighborSampler`.

    Notes
    -----
    The fallback samples uniformly without replacement, hop by hop: at each hop, for each edge type whose
    destination type has nodes added by the previous hop, up to ``num_neighbors[hop]`` incoming edges of each
    such node. O(sum of the frontier's degrees) time per hop (one sort of their edges).

    Paper: W. L. Hamilton, R. Ying, J. Leskovec, "Inductive Representation Learning on Large Graphs",
    NeurIPS 2017 (the sampling scheme).
    """

    def __init__(self, data: HeteroData, num_neighbors: list[int], *, seed: int = 0, **kwargs: Any) -> None:
        check_type(data, HeteroData, param="data", func="TorchNeighborSampler", expected="a HeteroData")
        with (
            warnings.catch_warnings()
        ):  # PyG warns that sampling without pyg-lib is deprecated: this class is the fallback
            warnings.simplefilter("ignore", UserWarning)
            super().__init__(data, num_neighbors, **kwargs)
        self.hops = list(num_neighbors)
        self.generator = torch.Generator().manual_seed(int(seed))

    def _sample(self, seed: Any, seed_time: Any = None, **kwargs: Any) -> Any:
        if pyg_typing.WITH_PYG_LIB or pyg_typing.WITH_TORCH_SPARSE or not isinstance(seed, dict):
            return super()._sample(seed, seed_time, **kwargs)
        nodes: dict[str, Tensor] = {t: torch.zeros(0, dtype=torch.long) for t in self.node_types}
        frontier: dict[str, Tensor] = {}
        for t, s in seed.items():
            nodes[t], _ = _append_unique(nodes[t], s.to(torch.long))
            frontier[t] = nodes[t]
        rows: dict[str, list[Tensor]] = {}
        cols: dict[str, list[Tensor]] = {}
        edges: dict[str, list[Tensor]] = {}
        num_nodes = {t: [len(nodes[t])] for t in self.node_types}
        for k in self.hops:
            sizes = {t: len(nodes[t]) for t in self.node_types}
            # frontier positions: the nodes added by the previous hop, at their local indices
            f_local = {t: torch.arange(sizes[t] - len(frontier.get(t, [])), sizes[t]) for t in frontier}
            for et in self.edge_types:
                src_t, _, dst_t = et
                rel = self.to_rel_type[et]
                if dst_t not in frontier or len(frontier[dst_t]) == 0:
                    continue
                seg, src, eid = _sample_csc(
                    self.colptr_dict[rel], self.row_dict[rel], frontier[dst_t], k, self.generator
                )
                nodes[src_t], src_local = _append_unique(nodes[src_t], src)
                rows.setdefault(rel, []).append(src_local)
                cols.setdefault(rel, []).append(f_local[dst_t][seg])
                edges.setdefault(rel, []).append(eid)
            frontier = {t: nodes[t][sizes[t] :] for t in self.node_types}
            for t in self.node_types:
                num_nodes[t].append(len(nodes[t]) - sizes[t])
        row = {self.to_edge_type[r]: torch.cat(v) for r, v in rows.items()}
        col = {self.to_edge_type[r]: torch.cat(v) for r, v in cols.items()}
        edge = {self.to_edge_type[r]: torch.cat(v) for r, v in edges.items()}
        return HeteroSamplerOutput(node=nodes, row=row, col=col, edge=edge, batch=None, num_sampled_nodes=num_nodes)


def neighbor_loader(
    data: HeteroData,
    input_type: str,
    input_nodes: Tensor | None = None,
    *,
    num_neighbors: list[int] | tuple[int, ...] = (15, 10),
    batch_size: int = 512,
    shuffle: bool = False,
    seed: int = 0,
    num_samples: int | None = None,
) -> NeighborLoader:
    """Return a ``NeighborLoader`` of mini-batches around nodes of `input_type`, on :class:`TorchNeighborSampler`.

    Parameters
    ----------
    data : HeteroData
        The graph.
    input_type : str
        The node type of the seed nodes (``'Person'``).
    input_nodes : Tensor, optional
        Seed node indices (default: every node of `input_type`).
    num_neighbors : sequence of int, default (15, 10)
        Neighbours sampled per edge type at each hop (-1: all, which makes the batches deterministic).
    batch_size : int, default 512
        Seed nodes per batch (>= 1).
    shuffle : bool, default False
        Shuffle the seeds each epoch (for training).
    seed : int, default 0
        Seed of the sampler and of the shuffling.
    num_samples : int, optional
        Seeds per pass over the loader (>= 1): a new uniform random subset, without replacement, at each pass
        (fixed-size training epochs on large cases, so an epoch's cost does not grow with the case); every
        seed once when None or when there are no more seeds than this.

    Returns
    -------
    torch_geometric.loader.NeighborLoader
        Batches are ``HeteroData`` whose first ``batch[input_type].batch_size`` nodes of `input_type` are the
        seeds, with ``n_id`` the global indices.

    Raises
    ------
    crimnet.errors.ParameterError
        If `data` is not a ``HeteroData`` or `batch_size` < 1.

    Examples
    --------
    >>> d = HeteroData()
    >>> d["a"].x = torch.ones(3, 1); d["b"].x = torch.ones(2, 1)
    >>> d["a", "r", "b"].edge_index = torch.tensor([[0, 1, 2], [0, 0, 1]])
    >>> d["b", "rev_r", "a"].edge_index = torch.tensor([[0, 0, 1], [0, 1, 2]])
    >>> b = next(iter(neighbor_loader(d, "a", num_neighbors=[-1], batch_size=1)))
    >>> b["a"].n_id.tolist(), b["b"].n_id.tolist()
    ([0], [0])
    """
    check_type(data, HeteroData, param="data", func="neighbor_loader", expected="a HeteroData")
    check_interval(batch_size, param="batch_size", func="neighbor_loader", low=1, closed="left", integer=True)
    hops = [int(k) for k in num_neighbors]
    sampler = TorchNeighborSampler(data, hops, seed=seed)
    nodes = torch.arange(data[input_type].num_nodes) if input_nodes is None else input_nodes
    gen = torch.Generator().manual_seed(int(seed))
    order: dict[str, Any] = {"shuffle": shuffle}
    if num_samples is not None:
        check_interval(num_samples, param="num_samples", func="neighbor_loader", low=1, closed="left", integer=True)
        if num_samples < len(nodes):
            order = {"sampler": RandomSampler(range(len(nodes)), num_samples=num_samples, generator=gen)}
    return NeighborLoader(
        data,
        num_neighbors=hops,
        input_nodes=(input_type, nodes),
        batch_size=batch_size,
        neighbor_sampler=sampler,
        generator=gen,
        **order,
    )
