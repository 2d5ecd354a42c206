"""The victim-controller cut that learned role probabilities feed (issue 14): ``learned_cut`` of ``run_case --model``.

Hand-built graphs, probabilities given: the numbers below are the expected pairs of
:func:`crimnet.graphs.disrupt.expected_cut_ranking`'s docstring, worked by hand.
"""

from __future__ import annotations

import igraph as ig
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.gnn.apply import cluster_probabilities, cluster_roles
from crimnet.graphs import disrupt as d
from crimnet.graphs.detect.roles import inferred_pairs
from crimnet.graphs.disrupt.robustness import robustness_curve


def _graph(edges: list[tuple[str, str]]) -> ig.Graph:
    g = ig.Graph.TupleList(edges)
    g.vs["label"] = [n.split(":")[0] for n in g.vs["name"]]
    return g


def _reach(g: ig.Graph, ranking: pd.DataFrame, pairs: list[tuple[str, str]], k: int) -> float:
    return float(robustness_curve(g, ranking, pairs=pairs)["victims_reachable_fraction"].iloc[k])


def _ring() -> tuple[ig.Graph, pd.DataFrame, list[tuple[str, str]]]:
    """Controller c reaches victims v1-v3 each by its own phone; a look-alike house H holds five tenants."""
    edges = [(f"Person:v{i}", f"Phone:{i}") for i in (1, 2, 3)] + [(f"Phone:{i}", "Person:c") for i in (1, 2, 3)]
    edges += [(f"Person:t{i}", "Address:H") for i in range(5)] + [("Person:v1", "Address:H")]
    probs = pd.DataFrame(
        {
            "node_id": ["c", "v1", "v2", "v3", *(f"t{i}" for i in range(5))],
            "p_perpetrator": [0.85, 0.0, 0.0, 0.0, *[0.05] * 5],
            "p_controller": [0.8, 0.0, 0.0, 0.0, *[0.0] * 5],
            "p_victim": [0.0, 0.3, 0.3, 0.3, *[0.1] * 5],  # under 0.5: a 0.5 threshold sees no victim
        }
    )
    return _graph(edges), probs, [(f"Person:v{i}", "Person:c") for i in (1, 2, 3)]


def test_low_victim_probabilities_still_cut_the_ring_where_yes_no_roles_find_no_pair():
    g, probs, true_pairs = _ring()
    clusters = pd.DataFrame({"cluster_id": [1, 2], "members": [["c", "v1", "v2", "v3"], [f"t{i}" for i in range(5)]]})
    # yes/no roles at 0.5: a controller and no victim, so no pair; the cut falls back to degree (the house)
    assert inferred_pairs(cluster_roles(clusters, probs)) == []
    fallback = d.victim_controller_cut_ranking(g, pairs=[], budget=1)
    assert fallback["node_id"].tolist() == ["Address:H"] and _reach(g, fallback, true_pairs, 1) == 1.0
    members = cluster_probabilities(clusters, probs)
    r = d.expected_cut_ranking(g, members=members, budget=3)
    # c ends 0.8 * 0.9 = 0.72 expected pairs, each victim 0.3 * 0.8 = 0.24, a tenant 0
    assert r["node_id"].tolist()[:2] == ["Person:c", "Person:v1"]  # v1 ties v2, v3 but has more neighbours
    assert r["node_id"].iloc[2] in {"Person:v2", "Person:v3"}  # the seeded tie-break
    assert _reach(g, r, true_pairs, 1) == 0.0
    # no group has candidates on both sides at 0.5; at 0.3 the ring's cut is its three phones, worth
    # 0.9 * 0.8 / 3 = 0.24 each: below c's 0.72, level with a victim's, ahead of the house and its tenants
    assert r.attrs["groups"] == 0
    low = d.expected_cut_ranking(g, members=members, min_probability=0.3)
    assert (low.attrs["groups"], low.attrs["cut_nodes"], low.attrs["expected_pairs"]) == (1, 3, 0.72)
    order = low["node_id"].tolist()
    assert order[0] == "Person:c" and set(order[1:7]) == {
        "Phone:1",
        "Phone:2",
        "Phone:3",
        "Person:v1",
        "Person:v2",
        "Person:v3",
    }


def test_a_shared_address_is_cut_before_the_people_it_separates():
    """Victims v1-v4 and two probable controllers meet only at address A: cutting A parts every expected pair."""
    edges = [(f"Person:v{i}", "Address:A") for i in range(1, 5)] + [
        ("Address:A", "Person:c1"),
        ("Address:A", "Person:c2"),
    ]
    g = _graph(edges)
    members = pd.DataFrame(
        {
            "group": 7,
            "node_id": ["Person:c1", "Person:c2", *(f"Person:v{i}" for i in range(1, 5))],
            "p_victim": [0.0, 0.0, *[0.9] * 4],
            "p_controller": [0.6, 0.6, *[0.0] * 4],
        }
    )
    r = d.expected_cut_ranking(g, members=members, budget=3)
    # the cut {A}: 3.6 x 1.2 = 4.32 expected pairs for one node; c1, c2 end 0.6 x 3.6 = 2.16 each
    assert r["node_id"].tolist() == ["Address:A", "Person:c1", "Person:c2"]
    assert r.attrs["expected_pairs"] == pytest.approx(4.32)
    true_pairs = [(f"Person:v{i}", f"Person:c{j}") for i in range(1, 5) for j in (1, 2)]
    assert _reach(g, r, true_pairs, 1) == 0.0
    # with an arrest costing ten times an address the cut stays first (4.32 per unit against 0.216)
    costly = d.expected_cut_ranking(g, members=members, budget=3, costs={"Person": 10.0, "Address": 1.0})
    assert costly["node_id"].iloc[0] == "Address:A"


def test_once_no_expected_pair_is_left_the_order_follows_the_completion_score():
    g, probs, _ = _ring()
    members = cluster_probabilities(pd.DataFrame({"cluster_id": [1], "members": [["c", "v1"]]}), probs)
    score = pd.Series(probs["p_perpetrator"].to_numpy(), index="Person:" + probs["node_id"])
    score["Person:t3"] = 0.5  # a tenant the model finds perpetrator-like, outside the clusters
    r = d.expected_cut_ranking(g, members=members, completion=score.drop("Person:v2"))
    order = r["node_id"].tolist()
    assert order[:2] == ["Person:c", "Person:v1"]  # the expected pairs: 0.8 x 0.3 = 0.24 each
    # then by score: t3 0.5, then the tenants' 0.05 and the victims' 0 (ties by degree), then v2 and the
    # unscored nodes by degree, the house first
    assert order[2] == "Person:t3"
    scored = [n for n in order[3:] if n in score.index and n != "Person:v2"]
    assert order[3 : 3 + len(scored)] == scored
    assert order[3 + len(scored)] == "Address:H"
    plain = d.expected_cut_ranking(g, members=members)
    assert plain["node_id"].tolist()[2] == "Address:H"  # without a score: degree


def test_cluster_probabilities_weigh_by_the_learned_cluster_score_and_take_the_evidence_as_certain():
    clusters = pd.DataFrame({"cluster_id": [1, 2], "members": [["a", "b"], ["c"]], "gnn_score": [0.5, float("nan")]})
    probs = pd.DataFrame({"node_id": ["a", "b", "c"], "p_victim": [0.1, 0.6, 0.2], "p_controller": [0.8, 0.0, 0.4]})
    evidence = pd.DataFrame({"cluster_id": [1], "node_id": ["a"], "role": ["victim"]})
    m = cluster_probabilities(clusters, probs, evidence=evidence)
    assert m["node_id"].tolist() == ["Person:a", "Person:b", "Person:c"]
    assert m["p_victim"].tolist() == [0.5, 0.3, 0.2]  # a: the evidence's 1 x 0.5; c: an unscored cluster, x 1
    assert m["p_controller"].tolist() == [0.4, 0.0, 0.4]
    with pytest.raises(ParameterError, match="columns"):
        cluster_probabilities(clusters, probs.drop(columns="p_controller"))
    with pytest.raises(ParameterError, match="probabilities in"):
        d.expected_cut_ranking(ig.Graph(2), members=pd.DataFrame({"group": [1], "node_id": [0], "p_victim": [2.0],
                                                                  "p_controller": [0.0]}))  # fmt: skip
