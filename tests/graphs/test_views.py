"""Graph views: heterogeneous graph, person projection weights, adjacency."""

import numpy as np
import pandas as pd
import pytest

from crimnet.errors import ParameterError
from crimnet.graphs.views import (
    adjacency,
    hetero_graph,
    person_projection,
    shared_evidence,
    to_networkx,
    vehicle_colocation,
)
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


# --- data-model additions: associates, landlords and agents, derived employment, postcodes ------------------------


def _houses(n_houses: int, per_house: int, landlord: str = "L") -> dict[str, pd.DataFrame]:
    """`n_houses` addresses let by `landlord`, each with `per_house` tenants who share nothing else."""
    tenants = [f"t{h}_{i}" for h in range(n_houses) for i in range(per_house)]
    homes = [f"H{h}" for h in range(n_houses) for _ in range(per_house)]
    return {
        "Person": pd.DataFrame({"id": [landlord, *tenants]}),
        "Address": pd.DataFrame({"id": [f"H{h}" for h in range(n_houses)]}),
        "LIVES_AT": pd.DataFrame({"src": tenants, "dst": homes}),
        "LETS": pd.DataFrame({"src": [landlord] * n_houses, "dst": [f"H{h}" for h in range(n_houses)]}),
    }


def test_a_landlord_of_many_tenants_is_a_weak_star_not_a_ring():
    t = CanonicalTables.from_partial(_houses(10, 4))
    g = person_projection(t)
    w = edge_strengths(g)
    # tenants of different houses are never linked, through the landlord or otherwise
    assert frozenset(("t0_0", "t1_0")) not in w
    landlord_edges = [e for pair, e in w.items() if "L" in pair]
    assert len(landlord_edges) == 40 and all(e["n_landlord"] == 1 for e in landlord_edges)
    assert sum(e["weight"] for e in landlord_edges) == pytest.approx(1.0)  # the landlord hands out 1 in all
    assert w[frozenset(("t0_0", "t0_1"))]["weight"] == pytest.approx(1 / 3)  # housemates: address shared by 4
    # clustering keeps each house apart: no community holds the tenants of two houses
    parts = g.community_multilevel(weights="weight")
    for members in parts:
        houses = {g.vs[i]["node_id"].split("_")[0] for i in members if g.vs[i]["node_id"] != "L"}
        assert len(houses) <= 1
    skipped = person_projection(t, max_shared=39)
    assert skipped["skipped"]["landlord"] == 1 and not any("L" in pair for pair in edge_strengths(skipped))


def test_a_letting_agent_links_no_one_in_the_projection():
    frames = _houses(5, 2)
    frames["Business"] = pd.DataFrame({"id": ["name:homes and co"]})
    frames["MANAGES"] = pd.DataFrame({"src": ["name:homes and co"] * 5, "dst": [f"H{h}" for h in range(5)]})
    frames["LETS"] = frames["LETS"].iloc[:0]
    g = person_projection(CanonicalTables.from_partial(frames))
    pairs = set(edge_strengths(g))
    assert pairs == {frozenset((f"t{h}_0", f"t{h}_1")) for h in range(5)}  # housemates only
    het = hetero_graph(CanonicalTables.from_partial(frames))
    assert het.es["type"].count("MANAGES") == 5


def test_associates_link_directly_and_derived_employment_counts_as_business():
    t = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": list("abcw")}),
            "Business": pd.DataFrame({"id": ["name:car wash"]}),
            "ASSOCIATE_OF": pd.DataFrame({"src": ["a", "c"], "dst": ["b", "a"], "wording": ["cousin of", "alias"]}),
            "WORKS_AT": pd.DataFrame(
                {"src": ["w", "c"], "dst": ["name:car wash"] * 2, "sources": [["derived:wages"], ["payroll"]]}
            ),
        }
    )
    w = edge_strengths(person_projection(t))
    # a has 2 associates, b and c 1 each: 1 / sqrt(2 * 1)
    assert w[frozenset("ab")]["weight"] == pytest.approx(2**-0.5) and w[frozenset("ab")]["evidence"] == "associate:1"
    assert frozenset("bc") not in w
    assert w[frozenset("cw")]["n_business"] == 1 and w[frozenset("cw")]["weight"] == pytest.approx(1.0)
    assert frozenset("ab") not in edge_strengths(person_projection(t, via=["business"]))


def test_hetero_graph_leaves_postcodes_out_and_vehicle_colocation_meets_homes():
    t = CanonicalTables.from_partial(
        {
            "Person": pd.DataFrame({"id": ["p", "q", "r"]}),
            "Vehicle": pd.DataFrame({"id": ["V1", "V2"]}),
            "Address": pd.DataFrame({"id": ["A|1", "A|2"]}),
            "Postcode": pd.DataFrame({"id": ["A"]}),
            "LIVES_AT": pd.DataFrame({"src": ["p", "q"], "dst": ["A|1", "A|2"]}),
            "LIVES_IN": pd.DataFrame({"src": ["r"], "dst": ["A"]}),
            "IN_POSTCODE": pd.DataFrame({"src": ["A|1", "A|2"], "dst": ["A", "A"]}),
            "SEEN_IN": pd.DataFrame(
                {"id": ["s1", "s2"], "src": ["V1", "V1"], "dst": ["A", "A"], "ts": ["2024-01-02T00:00:00Z", None]}
            ),
            "SEEN_AT": pd.DataFrame({"id": ["s3"], "src": ["V2"], "dst": ["A|1"], "ts": ["2024-01-01T00:00:00Z"]}),
        }
    )
    g = hetero_graph(t)
    assert "Postcode:A" not in g.vs["name"] and g.vcount() == 7
    assert set(g.es["type"]) == {"LIVES_AT", "SEEN_AT"}
    co = vehicle_colocation(t)
    assert co[["vehicle_id", "person_id", "precision", "place_id", "sightings"]].values.tolist() == [
        ["V1", "p", "postcode", "A", 2],
        ["V1", "q", "postcode", "A", 2],
        ["V1", "r", "postcode", "A", 2],
        ["V2", "p", "address", "A|1", 1],
    ]
    assert co["first_ts"].iloc[0] == "2024-01-02T00:00:00Z"
    assert vehicle_colocation(CanonicalTables.from_partial({})).empty
