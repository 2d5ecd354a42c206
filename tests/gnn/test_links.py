"""Hidden links: the split, the baselines and the GNN link predictor."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from crimnet.datasets import load_network
from crimnet.gnn.links import adamic_adar_scores, hide_edges, katz_scores, link_prediction


def test_hidden_edges_and_negatives_are_disjoint_and_right_sized() -> None:
    g = ig.Graph.Erdos_Renyi(n=60, m=200)
    s = hide_edges(g, share=0.1, seed=3)
    assert len(s["hidden"]) == 20 and len(s["kept"]) == 180 and len(s["negative"]) == 20
    edges = {tuple(sorted(e)) for e in g.get_edgelist()}
    assert {tuple(p) for p in s["hidden"]} <= edges
    assert not ({tuple(p) for p in s["negative"]} & edges)
    assert not ({tuple(p) for p in s["hidden"]} & {tuple(p) for p in s["kept"]})


def test_baselines_score_a_closed_triangle_above_a_distant_pair() -> None:
    kept = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 2]])
    pairs = np.array([[0, 2], [0, 4]])
    aa = adamic_adar_scores(6, kept, pairs)
    katz = katz_scores(6, kept, pairs, beta=0.1)
    assert aa[0] > aa[1] == 0 and katz[0] > katz[1] > 0


@pytest.mark.heavy
def test_link_prediction_on_a_bundled_network() -> None:
    r = link_prediction(load_network("london_gang"), seed=0, epochs=100).set_index("method")
    # the gang's ties cluster: every method finds hidden ties well above chance
    assert (r["auc"] > 0.6).all(), r
    assert r.loc["adamic_adar", "auc"] > 0.8
