"""GNDR: Generalized Network Dismantling with reinsertion (Ren et al. 2019), on hand-checked small graphs."""

from __future__ import annotations

import igraph as ig
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.disrupt import get_strategy, gnd_ranking, gndr_ranking, greedy_reinsertion, lcc_after_removals
from crimnet.graphs.disrupt.ordering import prepare


def test_reinsertion_puts_back_a_node_whose_neighbours_are_all_removed():
    """A 6-cycle 0-1-2-3-4-5-0 cut to single nodes (target: components of 1 node).

    With seed 2, GND removes 5, 2, 0 and 4 (LCC 5, 2, 2, 1): four nodes, survivors 1 and 3. Node 5's
    neighbours 0 and 4 are both removed, so it comes back alone (a component of 1 node); then 2 would join 1
    and 3, 0 would join 1 and 5, 4 would join 3 and 5 (3 nodes each): they stay. GNDR's three removals
    {2, 0, 4} are a minimum vertex cover of the cycle (n / 2 nodes); GND's four are not.
    """
    g = ig.Graph.Ring(6)
    gnd = gnd_ranking(g, target_fraction=0.2, seed=2)["node_id"].tolist()
    assert gnd[:4] == [5, 2, 0, 4]
    assert lcc_after_removals(g, gnd[:4]) == [5, 2, 2, 1]
    gndr = gndr_ranking(g, target_fraction=0.2, seed=2)
    assert (gndr.attrs["removal_set"], gndr.attrs["reinserted"]) == (4, 1)
    assert gndr["node_id"].tolist()[:4] == [2, 0, 4, 5]  # kept in GND's order, then the reinserted node
    assert lcc_after_removals(g, [2, 0, 4]) == [5, 3, 1]


def test_nothing_to_reinsert_when_gnd_is_already_minimal():
    """With seed 0 GND removes 5, 3, 1 on the 6-cycle: every survivor has two removed neighbours, so putting
    back any removed node joins two survivors (3 nodes): GNDR is GND."""
    g = ig.Graph.Ring(6)
    gnd = gnd_ranking(g, target_fraction=0.2)
    gndr = gndr_ranking(g, target_fraction=0.2)
    assert gnd["node_id"].tolist()[:3] == [5, 3, 1]
    assert (gndr.attrs["removal_set"], gndr.attrs["reinserted"]) == (3, 0)
    assert gndr["node_id"].tolist() == gnd["node_id"].tolist()


def test_greedy_reinsertion_on_a_path():
    """Path 0-1-2-3-4 cut at 1 and 3, pieces of up to 3 nodes: 3 goes back (joins 2 and 4: 3 nodes), then 1
    cannot (it would join 0 and 2-3-4: 5 nodes)."""
    ctx = prepare(ig.Graph.Ring(5, circular=False), "test")
    assert greedy_reinsertion(ctx, [1, 3], 3) == ([1], [3])
    assert greedy_reinsertion(ctx, [1, 3], 1) == ([1, 3], [])  # singletons only: nothing can come back
    with pytest.raises(ParameterError, match=r"^The 'ctx' parameter of greedy_reinsertion must be"):
        greedy_reinsertion("ctx", [1], 1)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"^The 'cap' parameter of greedy_reinsertion must be"):
        greedy_reinsertion(ctx, [1], 0)


@pytest.mark.parametrize("costly", [False, True])
def test_gndr_invariants_on_the_karate_club(costly):
    """Zachary's karate club (34 nodes), target 25% of the nodes; with costs, the first ten are Persons (10)."""
    g = ig.Graph.Famous("Zachary")
    g.vs["name"] = [str(i) for i in range(g.vcount())]
    g.vs["label"] = ["Person" if costly and i < 10 else "Phone" for i in range(g.vcount())]
    costs = {"Person": 10.0, "Phone": 1.0}
    cap = int(0.25 * g.vcount())
    gnd = gnd_ranking(g, target_fraction=0.25, costs=costs)["node_id"].tolist()
    r = gndr_ranking(g, target_fraction=0.25, costs=costs)
    s, back = r.attrs["removal_set"], r.attrs["reinserted"]
    assert lcc_after_removals(g, gnd[:s])[-1] <= cap  # GND's set (its last round's cover may overshoot)
    order = r["node_id"].tolist()
    assert set(order[:s]) == set(gnd[:s])  # the same set, reordered: the kept nodes first
    kept = order[: s - back]
    assert back > 0 and lcc_after_removals(g, kept)[-1] <= cap  # fewer removals still dismantle to the target
    for v in kept:  # maximal: putting back any kept node alone would exceed the target
        assert lcc_after_removals(g, [u for u in kept if u != v])[-1] > cap
    price = {str(i): costs[g.vs[i]["label"]] for i in range(g.vcount())}
    assert sum(price[v] for v in kept) < sum(price[v] for v in gnd[:s])


def test_gndr_is_registered_and_budgeted():
    g = ig.Graph.Famous("Zachary")
    assert get_strategy("gndr").weights == "none"
    full = gndr_ranking(g, target_fraction=0.25)["node_id"].tolist()
    assert gndr_ranking(g, target_fraction=0.25, budget=3)["node_id"].tolist() == full[:3]
    with pytest.raises(ParameterError, match=r"^The 'target_fraction' parameter of gndr_ranking must be"):
        gndr_ranking(g, target_fraction=0)
