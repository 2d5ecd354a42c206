"""Disruption strategies: known answers, permutation invariants, costs, budgets and the registry."""

from __future__ import annotations

import importlib

import igraph as ig
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crimnet.errors import ParameterError
from crimnet.graphs import disrupt as d
from crimnet.graphs.disrupt.robustness import robustness_curve

PAIRS_FREE = d.strategies(needs_pairs=False)


def _barbell(k: int = 5, path: int = 0) -> tuple[ig.Graph, list[int]]:
    """Two k-cliques joined through `path` extra nodes; return the graph and the bridge-path nodes."""
    g = ig.Graph.Full(k)
    g = g.disjoint_union(ig.Graph.Full(k))
    chain = [k - 1] + list(range(2 * k, 2 * k + path)) + [k]
    g.add_vertices(path)
    g.add_edges(list(zip(chain[:-1], chain[1:], strict=True)))
    return g, chain


def _random_graph(n: int, m: int, seed: int) -> ig.Graph:
    rng = np.random.default_rng(seed)
    return ig.Graph(n=n, edges=rng.integers(0, n, size=(m, 2)).tolist()).simplify()


def _run(name: str, g: ig.Graph, **kw) -> pd.DataFrame:
    info = d.get_strategy(name)
    if info.needs_pairs and "pairs" not in kw:
        kw["pairs"] = [(g.vcount() - 1, 0)]
    return info.func(g, **kw)


# ---------------------------------------------------------------------------- known answers


@pytest.mark.parametrize("name", [s for s in d.strategies() if s != "random"])
def test_star_hub_first(name):
    g = ig.Graph.Star(8)
    kw = {"pairs": [(1, 2)]} if d.get_strategy(name).needs_pairs else {}
    if name == "victim_controller_cut":
        # leaves 1 and 2 only meet through the hub
        assert _run(name, g, **kw)["node_id"].iloc[0] == 0
        return
    assert _run(name, g, **kw)["node_id"].iloc[0] == 0


@pytest.mark.parametrize("name", ["betweenness", "betweenness_adaptive", "articulation"])
def test_barbell_bridge_nodes_first(name):
    g, chain = _barbell(5, path=1)  # cliques 0-4 and 5-9 joined 4 - 10 - 5
    first = _run(name, g, budget=1)["node_id"].tolist()
    assert first == [10]
    first3 = set(_run(name, g, budget=3)["node_id"].tolist())
    assert first3 == {4, 10, 5}


def test_articulation_scores_known_answer():
    # path 0-1-2-3-4 plus a triangle 4-5-6: node 4 separates {0..3} from {5, 6}
    g = ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 4)])
    scores = d.articulation_scores(g)
    # removing v leaves pieces; score = 6 - largest piece (node 3: {0,1,2} and {4,5,6})
    assert scores.tolist() == [0, 1, 2, 3, 2, 0, 0]


def test_collective_influence_hand_computed():
    # a "double star": hubs 0 and 1 joined, 0 with leaves 2,3,4; 1 with leaves 5,6
    g = ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (1, 5), (1, 6)])
    ci = d.collective_influence(g, ell=2)
    # CI_2(0) = (4-1) * [(k5-1) + (k6-1)] = 0 ; CI_2(1) = (3-1) * 3 * (1-1) = 0 ; leaves 0
    # CI_2(2) = 0 * ... ; so use ell=1: CI_1(0) = (4-1) * (k1-1 + 3*0) = 3*2 = 6, CI_1(1) = 2 * (3 + 0) = 6
    assert ci.tolist() == [0.0] * 7
    ci1 = d.collective_influence(g, ell=1)
    assert ci1.tolist() == [6.0, 6.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    # a path of 7: CI_2 = [0, 1, 1, 2, 1, 1, 0]
    p = ig.Graph.Ring(7, circular=False)
    cip = d.collective_influence(p, ell=2)
    assert cip.tolist() == [0.0, 1.0, 1.0, 2.0, 1.0, 1.0, 0.0]


def test_collective_influence_adaptive_update_matches_recompute():
    g = _random_graph(300, 700, 1)
    order = d.collective_influence_ranking(g, budget=40)["node_id"].tolist()
    # replay: each choice must have maximal CI (ties by degree) among the remaining nodes
    alive = np.ones(300, bool)
    for v in order:
        ci = d.collective_influence(g, ell=2, removed=np.flatnonzero(~alive).tolist())
        ci[~alive] = -1
        if ci.max() <= 0:
            break
        assert ci[v] == ci.max()
        alive[v] = False


def test_corehd_removes_cycle_hub_then_breaks_trees():
    g = ig.Graph([(0, 1), (1, 2), (2, 0), (0, 3), (3, 4), (4, 0), (4, 5), (5, 6), (6, 7)])
    r = d.corehd_ranking(g)["node_id"].tolist()
    assert r[0] == 0
    # after 0, the forest is 1-2 and 3-4-5-6-7: the centroid 5 of the long path comes next
    assert r[1] == 5


def test_decycling_reinsertion_reaches_target_and_reinserts():
    g = _random_graph(400, 1000, 2)
    core = d.corehd_ranking(g)
    dr = d.decycling_reinsertion_ranking(g, target_fraction=0.05)
    cap = int(0.05 * 400)

    def needed(r):
        lcc = np.rint(robustness_curve(g, r)["lcc_fraction"].to_numpy() * 400)
        return int(np.argmax(lcc <= cap))

    assert needed(dr) <= needed(core)


def test_min_vertex_cut_hand_built():
    # controllers 0 and 1; victims 7, 8; every path passes through {4, 5} (cut of 2) or {2, 3, 6} (cut of 3)
    edges = [(0, 2), (1, 3), (0, 6), (2, 4), (3, 4), (6, 5), (4, 7), (5, 8), (4, 8)]
    g = ig.Graph(edges)
    r = d.victim_controller_cut_ranking(g, victims=[7, 8], controllers=[0, 1])
    assert set(r["node_id"].iloc[:2]) == {4, 5}
    # with costs, node 4 (an Address, cost 3) and 5 (Person, 10) cost 13 > 2 + 3 + 6 phones (cost 1 each)
    g.vs["label"] = ["Person", "Person", "Phone", "Phone", "Address", "Person", "Phone", "Person", "Person"]
    r = d.victim_controller_cut_ranking(g, victims=[7, 8], controllers=[0, 1], costs=d.DEFAULT_COSTS)
    assert set(r["node_id"].iloc[:3]) == {2, 3, 6}
    curve = robustness_curve(g, r, victims=[7, 8], controllers=[0, 1])
    assert curve["victims_reachable_fraction"].iloc[3] == 0.0


def test_cut_falls_back_to_terminal_when_adjacent():
    g = ig.Graph([(0, 1), (1, 2)])  # controller 0 directly tied to victim 1
    r = d.victim_controller_cut_ranking(g, pairs=[(1, 0)], budget=1)
    assert r["node_id"].iloc[0] in (0, 1)


def test_cut_groups_are_rings():
    # two rings on separate components: each gets its own cut node
    g = ig.Graph([(0, 1), (1, 2), (3, 4), (4, 5)])
    r = d.victim_controller_cut_ranking(g, pairs=[(2, 0), (5, 3)], budget=2)
    assert set(r["node_id"]) == {1, 4}


def test_non_person_prefers_cheaper_entities():
    # person P (the top hub) reaches 3 people through phone X, account Y and address W: 1 + 1 + 3 < 10
    g = ig.Graph([(0, 1), (0, 2), (0, 3), (1, 4), (2, 5), (3, 6)])
    g.vs["name"] = ["P", "X", "Y", "W", "A", "B", "C"]
    g.vs["label"] = ["Person", "Phone", "Account", "Address", "Person", "Person", "Person"]
    assert d.degree_ranking(g, budget=1)["node_id"].tolist() == ["P"]
    r = d.non_person_ranking(g, base="degree", budget=3)
    assert set(r["node_id"]) == {"X", "Y", "W"}
    assert set(r["label"]) == {"Phone", "Account", "Address"}
    # when the person is cheap, they are taken as the base order gives them
    r2 = d.non_person_ranking(g, base="degree", budget=1, costs={"Person": 1, "Phone": 5, "Account": 5})
    assert r2["node_id"].tolist() == ["P"]


def test_score_ranking_orders_by_score_and_cost():
    g = ig.Graph.Ring(4)
    g.vs["label"] = ["Person", "Phone", "Person", "Phone"]
    s = pd.Series({0: 4.0, 1: 1.0, 2: 2.0, 3: 0.5})
    assert d.score_ranking(g, s)["node_id"].tolist() == [0, 2, 1, 3]
    assert d.score_ranking(g, s, costs={"Person": 10, "Phone": 1})["node_id"].tolist() == [1, 3, 0, 2]
    with pytest.raises(ParameterError, match="'scores' parameter of score_ranking"):
        d.score_ranking(g, pd.Series({9: 1.0}))


# ---------------------------------------------------------------------------- invariants


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(0, 150), st.integers(0, 1000), st.sampled_from(d.strategies()))
def test_every_strategy_returns_a_permutation(n, m, seed, name):
    g = _random_graph(n, m, seed)
    kw = {"pairs": [(0, n - 1)]} if d.get_strategy(name).needs_pairs else {}
    r = d.get_strategy(name).func(g, seed=seed, **kw)
    assert list(r.columns) == d.RANKING_COLUMNS
    assert sorted(r["node_id"].tolist()) == list(range(n))
    assert r["rank"].tolist() == list(range(1, n + 1))
    assert (r["strategy"] == name).all()


@pytest.mark.parametrize("name", d.strategies())
def test_budget_and_cost_budget_respected(name):
    g = _random_graph(80, 200, 5)
    labels = ["Person", "Phone", "Account", "Address"]
    g.vs["label"] = [labels[i % 4] for i in range(80)]
    g.vs["name"] = [f"n{i}" for i in range(80)]
    kw = {"pairs": [("n0", "n79"), ("n4", "n77")]} if d.get_strategy(name).needs_pairs else {}
    f = d.get_strategy(name).func
    assert len(f(g, budget=7, **kw)) == 7
    costs = {"Person": 10.0, "Phone": 1.0, "Account": 1.0, "Address": 3.0}
    r = f(g, costs=costs, budget_cost=25.0, **kw)
    cost = r["label"].map(costs).sum()
    assert cost <= 25.0
    full = f(g, costs=costs, **kw)
    # the budgeted order is the prefix of the full order
    assert r["node_id"].tolist() == full["node_id"].tolist()[: len(r)]
    assert full["label"].map(costs).iloc[: len(r) + 1].sum() > 25.0


def test_cost_aware_degree_prefers_cheap_hubs():
    # a Person hub of degree 4 and a Phone hub of degree 3: per cost the phone wins
    g = ig.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (5, 6), (5, 7), (5, 8)])
    g.vs["label"] = ["Person"] + ["Person"] * 4 + ["Phone"] + ["Person"] * 3
    assert d.degree_ranking(g, budget=1)["node_id"].tolist() == [0]
    assert d.degree_ranking(g, budget=1, costs=d.DEFAULT_COSTS)["node_id"].tolist() == [5]


@pytest.mark.parametrize("name", ["degree_adaptive", "corehd", "collective_influence", "betweenness_adaptive"])
def test_targeted_beats_random(name):
    g = _random_graph(500, 1000, 7)
    r_rand = d.disrupt(g, strategies=["random", name]).summary.set_index("strategy")["r_index"]
    assert r_rand[name] < 0.8 * r_rand["random"]


def test_seed_reproducible_and_varies():
    g = ig.Graph.Ring(30)
    a = d.random_ranking(g, seed=1)["node_id"].tolist()
    assert a == d.random_ranking(g, seed=1)["node_id"].tolist()
    assert a != d.random_ranking(g, seed=2)["node_id"].tolist()


# ---------------------------------------------------------------------------- registry and disrupt()


def test_registered_strategy_appears_in_disrupt():
    @d.register_strategy("reverse_index_test")
    def reverse_index_test_ranking(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
        s = pd.Series(np.arange(graph.vcount(), dtype=float), index=range(graph.vcount()))
        return d.score_ranking(
            graph, s, budget=budget, costs=costs, budget_cost=budget_cost, strategy="reverse_index_test"
        )

    try:
        assert "reverse_index_test" in d.strategies()
        res = d.disrupt(ig.Graph.Ring(6))
        assert "reverse_index_test" in res.summary["strategy"].tolist()
        top = res.rankings.query("strategy == 'reverse_index_test'")["node_id"].iloc[0]
        assert top == 5
        with pytest.raises(ParameterError, match="new strategy name"):
            d.register_strategy("degree")(reverse_index_test_ranking)
    finally:
        d.unregister_strategy("reverse_index_test")
    assert "reverse_index_test" not in d.strategies()


def test_package_reexports_every_module_api():
    modules = (
        "registry", "ordering", "attacks", "dismantling", "exploitation", "compare", "robustness", "weights",
        "optimise", "recovery", "gnd", "exact", "score_ranked",
    )  # fmt: skip
    apis = {m: importlib.import_module(f"crimnet.graphs.disrupt.{m}") for m in modules}
    names = [name for module in apis.values() for name in module.__all__]
    assert sorted(d.__all__) == sorted(names)
    assert all(getattr(d, name) is getattr(module, name) for module in apis.values() for name in module.__all__)


def test_disrupt_runs_a_callable_without_touching_the_registry():
    def reverse_index(graph, *, budget=None, seed=0, costs=None, budget_cost=None):
        s = pd.Series(np.arange(graph.vcount(), dtype=float), index=range(graph.vcount()))
        return d.score_ranking(graph, s, budget=budget, costs=costs, budget_cost=budget_cost, strategy="by_index")

    def unnamed(graph, **kw):
        return reverse_index(graph, **kw).drop(columns="strategy")

    before = d.strategies()
    g = ig.Graph.Ring(6)
    res = d.disrupt(g, strategies=["degree", reverse_index, unnamed], pairs=[(0, 3)])
    assert d.strategies() == before
    # named by the ranking's strategy column, else by the function's __name__
    assert res.summary["strategy"].tolist() == ["degree", "by_index", "unnamed"]
    assert not res.summary["uses_ground_truth"].any()
    top = res.rankings.groupby("strategy", sort=False)["node_id"].first()
    assert top["by_index"] == 5 and top["unnamed"] == 5
    assert set(res.curves["strategy"]) == {"degree", "by_index", "unnamed"}
    with pytest.raises(ParameterError, match="'strategies' parameter of disrupt"):
        d.disrupt(g, strategies=[lambda graph, **kw: [0, 1]])


def test_disrupt_summary_and_labels():
    g = ig.Graph([(0, 1), (1, 2), (2, 3), (3, 4), (1, 5)])
    res = d.disrupt(g, budget=2, pairs=[(4, 0)])
    assert list(res.summary.columns) == d.SUMMARY_COLUMNS
    assert set(res.summary["strategy"]) == set(d.strategies())
    assert (res.summary["budget"] == 2).all()
    assert res.summary["r_index"].between(0, 1).all()
    assert res.summary["reachability_at_budget"].between(0, 1).all()
    cut = res.summary.set_index("strategy").loc["victim_controller_cut"]
    assert cut["reachability_at_budget"] == 0.0
    assert list(res.curves.columns) == [
        "strategy",
        "k",
        "fraction_removed",
        "lcc_fraction",
        "victims_reachable_fraction",
    ]
    unl = d.disrupt(g, strategies=["degree", "victim_controller_cut"])
    assert unl.skipped == ["victim_controller_cut"]
    assert unl.summary["reachability_at_budget"].isna().all()


def test_disrupt_cost_budget():
    g = ig.Graph.Star(6)
    g.vs["label"] = ["Person"] + ["Phone"] * 5
    res = d.disrupt(g, strategies=["degree", "random"], costs=d.DEFAULT_COSTS, budget_cost=3.0)
    assert (res.summary["cost_at_budget"] <= 3.0).all()


def test_disrupt_rejects_bad_parameters():
    g = ig.Graph.Ring(5)
    with pytest.raises(ParameterError, match="'strategies' parameter of disrupt"):
        d.disrupt(g, strategies=["nope"])
    with pytest.raises(ParameterError, match="'budget' parameter of disrupt"):
        d.disrupt(g, budget=1.5)
    with pytest.raises(ParameterError, match="'budget' parameter of degree_ranking"):
        d.degree_ranking(g, budget=-1)
    with pytest.raises(ParameterError, match="'pairs' parameter of victim_controller_cut_ranking"):
        d.victim_controller_cut_ranking(g)
    with pytest.raises(ParameterError, match="'graph' parameter of corehd_ranking"):
        d.corehd_ranking("not a graph")


def test_cluster_disruption_points():
    g, _ = _barbell(5, path=1)
    g.vs["name"] = [f"v{i}" for i in range(g.vcount())]
    clusters = pd.DataFrame(
        {"cluster_id": [1, 2], "members": [[f"v{i}" for i in range(11)], ["v0"]], "score": [0.9, 0.1]}
    )
    out = d.cluster_disruption_points(g, clusters, top=1, per_cluster=2, strategy="betweenness")
    assert out["node_id"].iloc[0] == "v10"
    assert out["cluster_id"].unique().tolist() == [1]
    assert out["lcc_fraction_after"].is_monotonic_decreasing
