"""Graph views: heterogeneous graph, person projection weights, adjacency."""

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.views import adjacency, hetero_graph, person_projection, shared_evidence, to_networkx
from crimnet.tables import CanonicalTables


@pytest.fixture
def hand_case():
    # a, b, c share a phone (3 people); a, b share an address with d (3 people) ; e pays f; g alone
    return CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": list("abcdefg")}),
            "Phone": pd.DataFrame({"id": ["+1", "+2"]}),
            "Address": pd.DataFrame({"id": ["H"]}),
            "Account": pd.DataFrame({"id": ["ae", "af"]}),
            "USES_PHONE": pd.DataFrame({"src": list("abcg"), "dst": ["+1", "+1", "+1", "+2"]}),
            "LIVES_AT": pd.DataFrame({"src": list("abd"), "dst": ["H"] * 3}),
            "HOLDS": pd.DataFrame({"src": ["e", "f"], "dst": ["ae", "af"]}),
            "PAID": pd.DataFrame(
                {"id": ["t1", "t2", "t3"], "src": ["ae", "ae", "af"], "dst": ["af", "af", "ae"], "amount": [5, 6, 7]}
            ),
        }
    )


def edge_strengths(g):
    ids = g.vs["node_id"]
    return {frozenset((ids[e.source], ids[e.target])): e for e in g.es}


def test_projection_resource_allocation_weights(hand_case):
    g = person_projection(hand_case)
    w = edge_strengths(g)
    # phone shared by 3: 1/(3-1) = 0.5; address shared by 3: 0.5; a-b share both
    assert w[frozenset("ab")]["weight"] == pytest.approx(1.0)
    assert w[frozenset("ab")]["n_phone"] == 1 and w[frozenset("ab")]["n_address"] == 1
    assert w[frozenset("ac")]["weight"] == pytest.approx(0.5)
    assert w[frozenset("ad")]["weight"] == pytest.approx(0.5)
    assert frozenset("cd") not in w
    # payment: accounts ae, af each have one counterpart: 1/sqrt(1*1) per payment, 3 payments
    assert w[frozenset("ef")]["weight"] == pytest.approx(3.0)
    once = edge_strengths(person_projection(hand_case, repeat=False))
    assert once[frozenset("ef")]["weight"] == pytest.approx(1.0)
    assert w[frozenset("ef")]["evidence"] == "payment:1"
    assert w[frozenset("ab")]["evidence"] == "phone:1;address:1"
    assert g.degree()[6] == 0  # g shares nothing
    assert g.vs["label"] == ["Person"] * 7


def test_projection_adamic_adar_and_max_shared(hand_case):
    g = person_projection(hand_case, weighting="adamic_adar")
    assert edge_strengths(g)[frozenset("ac")]["weight"] == pytest.approx(1 / np.log(3))
    g2 = person_projection(hand_case, max_shared=2)
    assert g2["skipped"]["phone"] == 1 and g2["skipped"]["address"] == 1
    assert set(edge_strengths(g2)) == {frozenset("ef")}
    g3 = person_projection(hand_case, via=["address"])
    assert set(edge_strengths(g3)) == {frozenset("ab"), frozenset("ad"), frozenset("bd")}


def test_projection_rejects_bad_parameters(hand_case):
    with pytest.raises(ParameterError, match="The 'via' parameter of person_projection must be one of"):
        person_projection(hand_case, via=["email"])
    with pytest.raises(ParameterError, match="The 'max_shared' parameter of person_projection must be an int"):
        person_projection(hand_case, max_shared=1)


def test_hetero_graph_aggregates_events(hand_case):
    g = hetero_graph(hand_case)
    assert g.vcount() == 7 + 2 + 1 + 2
    assert set(g.vs["label"]) == {"Person", "Phone", "Address", "Account"}
    paid = [e for e in g.es if e["type"] == "PAID"]
    # ae->af twice (one edge, weight 2) and af->ae once
    assert sorted(e["weight"] for e in paid) == [1.0, 2.0]
    assert sorted(e["amount"] for e in paid) == [7.0, 11.0]
    assert sum(e["type"] == "USES_PHONE" for e in g.es) == 4
    assert g.vs.find(name="Person:a")["node_id"] == "a"


def test_adjacency_symmetric_and_networkx(hand_case):
    g = person_projection(hand_case)
    a = adjacency(g)
    assert (abs(a - a.T) > 1e-12).nnz == 0
    assert a.sum() == pytest.approx(2 * sum(g.es["weight"]))
    nxg = to_networkx(g)
    assert nxg.number_of_edges() == g.ecount()


def test_shared_evidence_lists_entities(hand_case):
    ev = shared_evidence(hand_case, pd.DataFrame({"a": ["a"], "b": ["b"]}))
    assert sorted(zip(ev["label"], ev["entity_id"], strict=True)) == [("Address", "H"), ("Phone", "+1")]
