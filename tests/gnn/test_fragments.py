"""Fragments of one ring among ranked clusters: ring parts as labels, links between clusters, folding."""

from __future__ import annotations

import igraph as ig
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.gnn.apply import learned_order
from crimnet.gnn.fragments import MIN_LINK_SHARE, choose_min_share, cluster_links, fold_fragments, fold_yield
from crimnet.gnn.ranking import ring_parts
from crimnet.graphs.detect.evaluate import ring_hits
from tests.fixtures import toy_case


def test_a_ring_s_house_of_victims_is_a_part_of_it_though_not_a_hit() -> None:
    truth = pd.DataFrame(
        {
            "node_id": list("abcdefgh"),
            "role": ["controller", "recruiter", "victim", "victim", "victim", "none", "none", "none"],
            "ring_id": ["R", "R", "R", "R", "R", "", None, None],
        }
    )
    clusters = pd.DataFrame(
        {"cluster_id": [1, 2, 3, 4], "members": [["a", "b", "f"], ["c", "d", "e"], ["e", "f", "g"], ["x", "y"]]}
    )
    parts = ring_parts(clusters, truth)
    assert parts["part"].tolist() == [True, True, False, False]
    assert parts["ring_id"].tolist() == ["R", "R", "R", None]
    assert parts["share"].round(3).tolist() == [0.667, 1.0, 0.333, 0.0]
    # the strict hit needs half of the perpetrators: the victims' house is no hit
    hits = ring_hits(clusters.assign(size=[3, 3, 3, 2], score=[4.0, 3.0, 2.0, 1.0]), truth)
    assert hits.set_index("cluster_id")["hit"].to_dict() == {1: True, 2: False, 3: False, 4: False}
    assert ring_parts(clusters, truth, min_share=0.3)["part"].tolist() == [True, True, True, False]
    with pytest.raises(ParameterError):
        ring_parts(clusters, truth, min_share=0.0)


def _projection() -> ig.Graph:
    """Clusters 1 = {a, b, c} and 2 = {d, e} tied by two edges, 3 = {f, g} by one weak edge, h outside."""
    g = ig.Graph(n=8, edges=[(0, 1), (1, 2), (0, 2), (3, 4), (2, 3), (1, 4), (5, 6), (4, 5), (6, 7)])
    g.vs["node_id"] = list("abcdefgh")
    g.es["weight"] = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.1, 3.0]
    return g


def test_cluster_links_are_shares_of_the_smaller_cluster_s_weighted_degree() -> None:
    clusters = pd.DataFrame({"cluster_id": [1, 2, 3], "members": [["a", "b", "c"], ["d", "e"], ["f", "g"]]})
    links = cluster_links(_projection(), clusters).set_index(["cluster_a", "cluster_b"])
    # degrees: cluster 1 = 2 * 3 inside + 2 out = 8; cluster 2 = 2 inside + 2 + 0.1 = 4.1; cluster 3 = 4 + 0.1 + 3
    assert links.index.tolist() == [(1, 2), (2, 3)]
    assert links.loc[(1, 2), "weight"] == 2.0 and links.loc[(1, 2), "share"] == pytest.approx(2.0 / 4.1)
    assert links.loc[(2, 3), "share"] == pytest.approx(0.1 / 4.1)
    none = cluster_links(_projection(), clusters.iloc[:1])
    assert none.empty and list(none.columns) == ["cluster_a", "cluster_b", "weight", "share"]
    with pytest.raises(ParameterError):
        cluster_links(_projection(), clusters.drop(columns="members"))


def test_fold_keeps_the_best_ranked_part_and_moves_the_others_behind_every_head() -> None:
    links = pd.DataFrame(
        {"cluster_a": [1, 2, 4, 5], "cluster_b": [2, 3, 6, 6], "share": [0.4, 0.3, 0.05, MIN_LINK_SHARE]}
    )
    folded = fold_fragments([3, 4, 2, 1, 5, 6], links)
    # 2 is tied to 3 (ranked first); 1 to 2, so it joins 2's head 3; 6 joins 5 (4's tie is too weak)
    assert folded["cluster_id"].tolist() == [3, 4, 5, 2, 1, 6]
    assert folded["part_of"].tolist() == [3, 4, 5, 3, 3, 5]
    assert folded["fragment"].tolist() == [False, False, False, True, True, True]
    # a stricter share folds nothing but 1-2 and 2-3
    strict = fold_fragments([3, 4, 2, 1, 5, 6], links, min_share=0.25)
    assert strict["cluster_id"].tolist() == [3, 4, 5, 6, 2, 1]
    # clusters absent from the order are ignored; an empty order folds nothing
    assert fold_fragments([6, 5], links)["part_of"].tolist() == [6, 6]
    assert fold_fragments([], links).empty
    with pytest.raises(ParameterError):
        fold_fragments([1], links, min_share=1.5)


def test_the_two_halves_of_a_planted_ring_fold_into_one_and_families_stay_apart() -> None:
    """A toy case's ring cut into its perpetrators and its victims, beside clusters of background families."""
    tables, truth = toy_case(n_families=40, n_rings=2, seed=3)
    people = truth
    ring = people[people["ring_id"] == people["ring_id"].dropna().iloc[0]]
    perps = ring.loc[ring["role"] != "victim", "node_id"].tolist()
    victims = ring.loc[ring["role"] == "victim", "node_id"].tolist()
    others = people.loc[people["ring_id"].isna(), "node_id"].tolist()
    background = [others[i : i + 25 : 5] for i in range(0, 100, 25)]  # bands of the background, apart
    clusters = pd.DataFrame({"cluster_id": range(6), "members": [victims, *background, perps]})
    links = cluster_links(tables, clusters)
    halves = links[(links["cluster_a"] == 0) & (links["cluster_b"] == 5)]
    assert len(halves) == 1 and halves["share"].iloc[0] >= MIN_LINK_SHARE
    folded = fold_fragments([0, 1, 5, 2, 3, 4], links)
    assert folded.set_index("cluster_id").loc[5, "part_of"] == 0
    assert folded["cluster_id"].head(5).tolist() == [0, 1, 2, 3, 4]
    assert ring_parts(clusters, people)["part"].tolist() == [True, False, False, False, False, True]


def test_the_learned_order_puts_every_head_before_the_fragments() -> None:
    clusters = pd.DataFrame({"cluster_id": [0, 1, 2, 3], "score": [4.0, 3.0, 2.0, 1.0]})
    ranked = pd.DataFrame(
        {
            "cluster_id": [2, 0, 1],
            "part_of": [2, 0, 2],
            "fragment": [False, False, True],
            "gnn_score": [0.9, 0.5, 0.8],
            "reasons": ["", "", ""],
        }
    )
    out = learned_order(clusters, ranked)
    assert out["cluster_id"].tolist() == [2, 0, 1, 3]  # 1 outscores 0 but is a part of 2; 3 is unscored
    assert out["part_of"].tolist()[:3] == [2, 0, 2]


def test_the_fold_threshold_is_the_one_that_reads_the_most_rings_in_the_top_k() -> None:
    # ring R comes out as clusters 1 and 2 (tied at share 0.3), ring S as cluster 4, background 3 (tied to 4 at 0.06)
    links = pd.DataFrame({"cluster_a": [1, 3], "cluster_b": [2, 4], "share": [0.3, 0.06]})
    ring_of = pd.Series(["R", "R", None, "S"], index=[1, 2, 3, 4])
    y = fold_yield([1, 2, 3, 4], links, ring_of, 2, shares=(0.05, 0.2, 0.5))
    # 0.05 folds both pairs (top 2: 1, 3), 0.2 only the ring's parts (1, 3), 0.5 neither (1, 2)
    assert y["rings_at_k"].tolist() == [0.5, 0.5, 0.5]
    y3 = fold_yield([1, 2, 3, 4], links, ring_of, 3, shares=(0.05, 0.2, 0.5))
    assert y3["rings_at_k"].tolist() == pytest.approx([1 / 3, 2 / 3, 1 / 3])  # 0.05 pushes ring S behind
    assert choose_min_share(y3) == 0.2
    assert choose_min_share(pd.concat([y, y])) == 0.5  # all equal: the one that folds least
    with pytest.raises(ParameterError, match="yields"):
        choose_min_share(y.iloc[:0])
    with pytest.raises(ParameterError, match="k"):
        fold_yield([1], links, ring_of, 0)
