"""The torch-only neighbour sampler behind NeighborLoader."""

from __future__ import annotations

import torch
from torch_geometric.data import HeteroData

from crimnet.gnn.sampler import neighbor_loader


def _graph() -> HeteroData:
    g = torch.Generator().manual_seed(0)
    d = HeteroData()
    d["a"].x = torch.arange(50, dtype=torch.float32)[:, None]
    d["b"].x = torch.zeros(20, 1)
    src = torch.randint(0, 50, (200,), generator=g)
    dst = torch.randint(0, 20, (200,), generator=g)
    ei = torch.unique(torch.stack([src, dst]), dim=1)
    d["a", "r", "b"].edge_index = ei
    d["b", "rev_r", "a"].edge_index = ei.flip(0)
    return d


def test_sampled_edges_are_real_and_bounded() -> None:
    d = _graph()
    real = set(map(tuple, d["a", "r", "b"].edge_index.t().tolist()))
    seen = 0
    for batch in neighbor_loader(d, "a", num_neighbors=[2, 3], batch_size=7, shuffle=True, seed=1):
        assert batch["a"].batch_size <= 7
        for et in (("a", "r", "b"), ("b", "rev_r", "a")):
            ei = batch[et].edge_index
            gs, gd = batch[et[0]].n_id[ei[0]], batch[et[2]].n_id[ei[1]]
            pairs = zip(gs.tolist(), gd.tolist(), strict=True)
            assert all(((s, t) if et[0] == "a" else (t, s)) in real for s, t in pairs)
        # first hop: at most 2 b-neighbours per seed
        hop1 = batch["b", "rev_r", "a"].edge_index
        seeds = hop1[1] < batch["a"].batch_size
        assert torch.bincount(hop1[1][seeds]).max() <= 2
        seen += batch["a"].batch_size
    assert seen == 50


def test_all_neighbours_gives_the_whole_neighbourhood() -> None:
    d = _graph()
    batch = next(iter(neighbor_loader(d, "a", torch.tensor([3]), num_neighbors=[-1], batch_size=1)))
    ei = d["a", "r", "b"].edge_index
    expected = set(ei[1][ei[0] == 3].tolist())
    assert set(batch["b"].n_id.tolist()) == expected


def test_num_samples_draws_a_new_subset_of_seeds_each_pass() -> None:
    """Fixed-size epochs: 20 of the 50 seeds per pass, without repeats, another 20 the next pass."""
    loader = neighbor_loader(_graph(), "a", num_neighbors=[2], batch_size=8, shuffle=True, num_samples=20)

    def seeds() -> list[int]:
        return [int(i) for b in loader for i in b["a"].n_id[: b["a"].batch_size]]

    first, second = seeds(), seeds()
    assert len(first) == len(set(first)) == 20 and len(second) == 20
    assert set(first) != set(second)
    every = neighbor_loader(_graph(), "a", num_neighbors=[2], batch_size=8, num_samples=500)
    assert sorted(int(i) for b in every for i in b["a"].n_id[: b["a"].batch_size]) == list(range(50))
