"""The learned_score strategy: ranks by a vertex attribute the caller sets, refuses a graph without it."""

from __future__ import annotations

import igraph as ig
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs import disrupt as d


def _scored_star() -> ig.Graph:
    g = ig.Graph.Star(6)  # hub 0 has the most links but the lowest learned score
    g.vs["name"] = [f"Person:{i}" for i in range(6)]
    g.vs["score"] = [0.1, 0.9, None, 0.5, float("nan"), 0.7]
    return g


def test_ranks_scored_nodes_by_descending_score_then_unscored_by_degree() -> None:
    r = d.learned_score_ranking(_scored_star())
    assert r["node_id"].tolist()[:4] == ["Person:1", "Person:5", "Person:3", "Person:0"]
    assert set(r["node_id"].tolist()[4:]) == {"Person:2", "Person:4"}
    assert (r["strategy"] == "learned_score").all() and r["rank"].tolist() == list(range(1, 7))
    assert d.learned_score_ranking(_scored_star(), budget=2)["node_id"].tolist() == ["Person:1", "Person:5"]


def test_another_attribute_and_costs() -> None:
    g = _scored_star()
    g.vs["p_victim"] = [0.0, 0.0, 0.0, 0.0, 0.0, 0.8]
    assert d.learned_score_ranking(g, attribute="p_victim")["node_id"].iloc[0] == "Person:5"
    # by score per unit cost: the hub (0.1 / 1 as a phone) now comes before the people at 0.7 / 10 and 0.5 / 10
    g.vs["label"] = ["Phone", "Person", "Person", "Person", "Person", "Person"]
    r = d.learned_score_ranking(g, costs={"Person": 10.0, "Phone": 1.0})
    assert r["node_id"].tolist()[:4] == ["Person:0", "Person:1", "Person:5", "Person:3"]


def test_a_graph_without_the_attribute_is_refused_naming_it() -> None:
    with pytest.raises(ParameterError, match="vertex attribute 'score'"):
        d.learned_score_ranking(ig.Graph.Star(4))
    g = ig.Graph.Star(3)
    g.vs["score"] = ["high", "low", "low"]
    with pytest.raises(ParameterError, match="numeric values in the vertex attribute 'score'"):
        d.learned_score_ranking(g)


def test_registered_but_left_out_of_default_comparisons() -> None:
    assert d.get_strategy("learned_score").needs_attribute == "score"
    assert "learned_score" not in d.strategies()
    assert "learned_score" in d.strategies(with_attribute=True)
    plain = ig.Graph.Star(6)
    assert "learned_score" not in set(d.disrupt(plain, budget=1).summary["strategy"])  # no score: not run
    res = d.disrupt(_scored_star(), strategies=["degree", "learned_score"], budget=1)
    s = res.summary.set_index("strategy")
    assert s.loc["learned_score", "lcc_fraction_at_budget"] == pytest.approx(5 / 6)  # a leaf removed first
    assert s.loc["degree", "lcc_fraction_at_budget"] == pytest.approx(1 / 6)  # the hub
